// The bad-input matrix (issue 8): the built binary against bad flags, topics, files, brokers,
// networks, closed streams and signals, one table row per case with the exit code and the words
// stderr must carry. Every row also checks that nothing crashed or hung: no signal death, no
// "terminate called", no sanitizer report, and for failures exactly one "mqtk: error:" line,
// short and printable (the only other line allowed is the parser's pointer to --help). Many of
// these have a fuller test under tests/cli/; this is the one place that shows them side by side.
// Rows without their own broker or signal run four at a time.

#include "faults/fault_harness.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/free_port.hpp"

using namespace mqtk::test;
using namespace mqtk::test::faults;

namespace {

// Brokers and relays the rows share; none of the parallel rows changes them.
struct Env {
  BrokerFixture plain;
  BrokerFixture secured{{.auth = true,
                         .acl = "user " + std::string(broker_username) + "\ntopic readwrite ok/#\n"}};
  BrokerFixture tls{{.tls = true}};
  BrokerFixture expired{{.tls = true, .tls_expired_server_cert = true}};
  BrokerFixture small{{.extra_config = {"max_packet_size 1000"}}};
  FaultProxy refusing{plain.host(), plain.port()};
  FaultProxy stalled{plain.host(), plain.port()};
  FaultProxy other_name{tls.host(), tls.tls_port(), "127.0.0.2"};  // not in the certificate
  TempDir files{"mqtk-bad-input"};
  std::string long_name = std::string(70000, 'a');

  Env() {
    refusing.refuse(true);
    stalled.stall(true);
    sub::publish(plain, {"-t", "keep/r", "-m", "retained", "-r"});
  }
  std::vector<std::string> at(const BrokerFixture& b) const { return sub::broker_args(b); }
  std::vector<std::string> tls_at(const BrokerFixture& b) const {
    return {"-h", b.host(), "-p", std::to_string(b.tls_port()), "--cafile", b.ca_file()};
  }
  std::vector<std::string> user() const {
    return {"-u", std::string(broker_username), "-P", std::string(broker_password)};
  }
};

struct Outcome {
  ProcessResult result;
  std::vector<std::string> problems;  // what a row's own checks found wrong
};

struct Case {
  std::string name;
  std::function<Outcome(Env&)> run;
  int exit_code;
  std::vector<std::string> words;
  bool alone = false;  // signals, pauses, pipelines: one at a time
};

using Args = std::vector<std::string>;

// A row that runs `mqtk ARGS...` (built when it runs, from the shared brokers) with `stdin_data`.
std::function<Outcome(Env&)> mqtk(std::function<Args(Env&)> args, std::string stdin_data = {}) {
  return [args = std::move(args), stdin_data](Env& env) {
    return Outcome{run_mqtk(args(env), stdin_data, 30s), {}};
  };
}

// A row that runs `mqtk ARGS...` through bash with `redirect` appended (`<&-`, `>&-`).
std::function<Outcome(Env&)> shell(std::function<Args(Env&)> args, std::string redirect) {
  return [args = std::move(args), redirect](Env& env) {
    Args argv{"bash", "-c", "exec \"$@\" " + redirect, "sh", mqtk_binary_path()};
    for (const std::string& a : args(env)) argv.push_back(a);
    return Outcome{run_process(argv, {}, 30s), {}};
  };
}

void wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
}

// `mqtk sub -q 1 ARGS` gets one QoS 1 message, prints it, then `signo` arrives.
std::function<Outcome(Env&)> signal_sub(int signo, Args args) {
  return [signo, args](Env& env) {
    const std::string id = unique_id("sig-sub");
    ChildProcess child = sub::start_sub(env.plain, id, joined({"-q", "1", "-t", "sig/s"}, args));
    sub::publish(env.plain, {"-t", "sig/s", "-q", "1", "-m", "accepted"});
    Outcome o;
    if (child.read_line(15s) != "accepted") o.problems.push_back("the QoS 1 message was not printed");
    child.signal(signo);
    o.result = child.wait(20s);
    return o;
  };
}

// `mqtk pub -l -q 1` through a proxy that holds every packet for 0.7 s: three lines are read and
// sent (the proxy has them) but not acknowledged when `signo` arrives; all must still arrive.
std::function<Outcome(Env&)> signal_pub(int signo) {
  return [signo](Env& env) {
    FaultProxy slow(env.plain.host(), env.plain.port());
    ChildProcess receiver =
        sub::start_peer(env.plain, unique_id("sig-recv"), {"-t", "sig/p", "-q", "1", "-C", "3"});
    ChildProcess child(mqtk_via(slow, "pub", {"-t", "sig/p", "-q", "1", "-l"}),
                       ChildOptions{.pipe_stdin = true});
    Outcome o;
    wait_until([&] { return slow.counters().bytes_to_client >= 4; });  // CONNACK passed
    slow.set_delay(700ms);
    const std::size_t before = slow.counters().bytes_from_client;
    if (!child.write_stdin("one\ntwo\nsix\n")) o.problems.push_back("stdin refused");
    // Three QoS 1 PUBLISHes of 3 bytes to "sig/p": 2 + 2 + 5 + 2 + 3 bytes each.
    wait_until([&] { return slow.counters().bytes_from_client >= before + 3 * 14; });
    child.signal(signo);
    o.result = pub::wait_with_stdin_open(child, 20s);
    const ProcessResult got = receiver.wait(10s);
    if (got.out != "one\ntwo\nsix\n") o.problems.push_back("receiver got: " + got.out);
    return o;
  };
}

// `mqtk rr -q 1` whose request has reached a peer (nobody answers) when `signo` arrives.
std::function<Outcome(Env&)> signal_rr(int signo) {
  return [signo](Env& env) {
    ChildProcess peer = sub::start_peer(env.plain, unique_id("sig-svc"), {"-t", "svc/req", "-q", "1"});
    ChildProcess child(
        joined(joined({mqtk_binary_path(), "rr"}, env.at(env.plain)),
               {"-t", "svc/req", "-e", "svc/reply", "-q", "1", "-m", "request", "-W", "30"}));
    Outcome o;
    if (peer.read_line(15s) != "request") o.problems.push_back("the request did not arrive");
    child.signal(signo);
    o.result = child.wait(20s);
    return o;
  };
}

// `mqtk conn` waiting for a CONNACK that a stalled network never brings when `signo` arrives.
// A signal while `verb` waits for a CONNACK that never comes (a stalled proxy).
std::function<Outcome(Env&)> signal_during_connect(int signo, std::string verb,
                                                   std::vector<std::string> args = {}) {
  return [signo, verb = std::move(verb), args = std::move(args)](Env& env) {
    const std::size_t before = env.stalled.counters().accepted;
    ChildProcess child(mqtk_via(env.stalled, verb, joined({"--connect-timeout", "30"}, args)));
    Outcome o;
    if (!env.stalled.wait_for_accepted(before + 1)) o.problems.push_back(verb + " never connected");
    child.signal(signo);
    o.result = child.wait(20s);
    return o;
  };
}

// `mqtk sub | head -n 1`: the reader goes away after the first line.
Outcome stdout_closed_early(Env& env) {
  const std::string id = unique_id("head");
  ChildProcess pipeline(
      joined({"bash", "-c", R"("$@" | head -n 1; echo "mqtk exit ${PIPESTATUS[0]}" >&2)", "sh"},
             sub::sub_argv(env.plain, id, {"-t", "head/a"})),
      ChildOptions{.new_process_group = true});
  Outcome o;
  if (!sub::wait_for_log_count(env.plain, sub::suback_line(id), 1))
    o.problems.push_back("never subscribed");
  sub::publish(env.plain, {"-t", "head/a", "-m", "first"});
  if (pipeline.read_line(15s) != "first") o.problems.push_back("head did not print the message");
  sub::publish(env.plain, {"-t", "head/a", "-m", "second"});  // mqtk's write that finds no reader
  o.result = pipeline.wait(20s);
  if (!contains(o.result.err, "mqtk exit 0")) o.problems.push_back("mqtk did not exit 0");
  return o;
}

std::vector<Case> matrix();

bool is_help_hint(const std::string& line) { return line.rfind("Run 'mqtk --help'", 0) == 0; }

// Text a terminal shows as it is: valid UTF-8 without control characters (tab aside).
bool is_printable_line(std::string_view line) {
  for (std::size_t i = 0; i < line.size();) {
    const auto byte = static_cast<unsigned char>(line[i]);
    const std::size_t length = byte < 0x80 ? 1 : (byte >> 5) == 6 ? 2 : (byte >> 4) == 14 ? 3
                                                 : (byte >> 3) == 30 ? 4 : 0;
    if (length == 0 || i + length > line.size()) return false;
    if (length == 1 && (byte < 0x20 || byte == 0x7f) && byte != '\t') return false;
    for (std::size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(line[i + k]) >> 6) != 2) return false;
    i += length;
  }
  return true;
}

std::vector<std::string> problems_of(const Case& c, const Outcome& o) {
  std::vector<std::string> problems = o.problems;
  const ProcessResult& r = o.result;
  if (r.timed_out) problems.push_back("hung (killed at the timeout)");
  if (r.term_signal != 0) problems.push_back("died from signal " + std::to_string(r.term_signal));
  if (r.exit_code != c.exit_code)
    problems.push_back("exit " + std::to_string(r.exit_code) + ", expected " +
                       std::to_string(c.exit_code));
  for (const std::string& word : c.words)
    if (!contains(r.err, word)) problems.push_back("stderr lacks '" + word + "'");
  for (const char* crash : {"terminate called", "Sanitizer", "runtime error:", "Aborted",
                            "core dumped", "what():", "Segmentation"})
    if (contains(r.err, crash)) problems.push_back(std::string("stderr shows '") + crash + "'");
  if (c.exit_code != 0 && c.exit_code != 130 && c.exit_code != 143) {
    std::size_t errors = 0;
    for (const std::string& line : sub::lines_of(r.err)) {
      // A 70,000-byte topic must not make a 70 KB line, nor raw bytes reach the terminal.
      if (line.size() > 300) problems.push_back("an error line of " + std::to_string(line.size()) + " bytes");
      if (!is_printable_line(line)) problems.push_back("unprintable bytes in: " + line.substr(0, 100));
      if (line.rfind("mqtk: error: ", 0) == 0) ++errors;
      else if (!is_help_hint(line)) problems.push_back("extra stderr line: " + line);
    }
    if (errors != 1) problems.push_back(std::to_string(errors) + " error lines");
  }
  return problems;
}

}  // namespace

TEST_CASE("bad-input matrix: exit codes, one error line, no crash or hang") {
  Env env;
  const std::vector<Case> cases = matrix();
  std::vector<Outcome> outcomes(cases.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < cases.size(); i = next++)
      if (!cases[i].alone) outcomes[i] = cases[i].run(env);
  };
  {
    std::vector<std::jthread> workers;
    for (int w = 0; w < 4; ++w) workers.emplace_back(worker);
  }
  for (std::size_t i = 0; i < cases.size(); ++i)
    if (cases[i].alone) outcomes[i] = cases[i].run(env);

  std::size_t failed = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::vector<std::string> problems = problems_of(cases[i], outcomes[i]);
    if (problems.empty()) continue;
    ++failed;
    std::string report;
    for (const std::string& p : problems) report += "\n  - " + p;
    FAIL_CHECK("case '" << cases[i].name << "':" << report << "\n" << describe(outcomes[i].result));
  }
  MESSAGE(cases.size() << " cases, " << failed << " failed");
  CHECK(cases.size() >= 30);
}

#include "faults/bad_input_cases.hpp"
