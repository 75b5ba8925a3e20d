// The one-shot `mqtk pub` direct path (src/cli/pub_direct.cpp): taken for one message to a plain
// TCP broker (`-d` says so), left for the core client when something it does not encode is
// asked for (`-dd` says why), the exact bytes at every QoS, and failures that read the same on
// both paths: CONNACK refusals, a broker not listening, a payload above the broker's maximum
// packet size, a signal while the broker does not answer. tests/cli/pub_test.cpp,
// pub_input_test.cpp, aedes_test.cpp and the bad-input matrix run their one-shot publishes
// through it too.

#include "cli/pub_harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include "support/fault_proxy.hpp"
#include "support/free_port.hpp"

using namespace mqtk::test;
using namespace mqtk::test::pub;

namespace {

constexpr std::string_view direct_line = "mqtk: info: one-shot direct path:";
constexpr std::string_view fallback_line = "mqtk: debug: not on the one-shot direct path: ";

// Runs `args` once on the direct path and once with `paho_only` added (something that sends it
// through the core client without changing what is checked), and requires the same exit code
// and stderr from both.
void check_same_on_both_paths(const BrokerFixture& broker, const std::vector<std::string>& args,
                              const std::vector<std::string>& paho_only, int exit_code) {
  const ProcessResult direct = run_pub(broker, joined({"-d"}, args));
  const ProcessResult paho = run_pub(broker, joined(joined({"-d"}, args), paho_only));
  INFO("direct: " << describe(direct));
  INFO("paho: " << describe(paho));
  CHECK(contains(direct.err, direct_line));
  CHECK_FALSE(contains(paho.err, direct_line));
  CHECK(direct.exit_code == exit_code);
  CHECK(paho.exit_code == exit_code);
  // The one extra -d line aside, stderr is the same.
  std::vector<std::string> direct_lines;
  for (const std::string& line : lines_of(direct.err))
    if (!contains(line, direct_line) && !contains(line, "connecting to")) direct_lines.push_back(line);
  std::vector<std::string> paho_lines;
  for (const std::string& line : lines_of(paho.err))
    if (!contains(line, "connecting to")) paho_lines.push_back(line);
  CHECK(direct_lines == paho_lines);
}

}  // namespace

TEST_CASE("one message: the direct path delivers the exact bytes at QoS 0, 1 and 2") {
  BrokerFixture broker;
  ChildProcess receiver =
      start_receiver(broker, {"-V", "5", "-t", "direct/#", "-q", "2", "-C", "4", "-F", "%t %q %r %x"});
  const std::string bytes = "00ff0a0d7f80c3";
  const std::vector<std::vector<std::string>> runs = {
      {"-t", "direct/q0", "-m", bytes, "--format", "hex"},
      {"-t", "direct/q1", "-m", bytes, "--format", "hex", "-q", "1", "-i", "direct-one", "-k", "30"},
      {"-t", "direct/q2", "-m", bytes, "--format", "hex", "-q", "2", "-V", "5", "-c", "-i",
       "direct-two"},
      {"-t", "direct/r", "-m", "kept", "-q", "1", "-r", "-V", "3.1", "-i", "direct-31"},
  };
  for (const auto& args : runs) {
    const ProcessResult result = run_pub(broker, joined({"-d"}, args));
    INFO(describe(result));
    CHECK(result.exit_code == 0);
    CHECK(result.out.empty());
    CHECK(contains(result.err, direct_line));
    CHECK_FALSE(contains(result.err, "warning"));
  }
  // mosquitto_sub shows the retain flag of a live message as 0 (the broker's log shows it kept),
  // and prints a QoS 2 message only at its PUBREL, so a later one may come first.
  std::vector<std::string> got = lines_of(received(receiver));
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{"direct/q0 0 0 " + bytes, "direct/q1 1 0 " + bytes,
                                        "direct/q2 2 0 " + bytes, "direct/r 1 0 " + hex("kept")});
  const std::string log = broker.log();
  CHECK(contains(log, "as direct-one (p2, c1, k30"));
  CHECK(contains(log, "as direct-two (p5, c0, k60"));
  CHECK(contains(log, "as direct-31 (p1, c1, k60"));
  CHECK(contains(log, "Received PUBLISH from direct-31 (d0, q1, r1, m1, 'direct/r'"));
  CHECK(contains(log, "Received PUBREL from direct-two (Mid: 1)"));
  CHECK(contains(log, "Client direct-one disconnected."));
}

TEST_CASE("what the direct path does not encode goes through the core client, and -dd says why") {
  BrokerFixture broker({.tls = true});
  ChildProcess receiver = start_receiver(broker, {"-t", "fallback/#", "-C", "3", "-F", "%t %p"});
  struct Case {
    std::vector<std::string> args;
    std::string why;
  };
  const std::vector<std::string> plain = broker_args(broker);
  const std::vector<std::string> tls = {"-h", broker.host(), "-p", std::to_string(broker.tls_port()),
                                        "--cafile", broker.ca_file().string()};
  const std::vector<Case> cases = {
      {joined(plain, {"-t", "fallback/property", "-m", "a", "-q", "1", "-V", "5", "-D", "publish",
                      "user-property", "k", "v"}),
       "-D properties"},
      {joined(tls, {"-t", "fallback/tls", "-m", "b", "-q", "1"}), "TLS"},
      {joined(plain, {"-t", "fallback/will", "-m", "c", "--will-topic", "w"}), "a will"},
  };
  for (const Case& c : cases) {
    const ProcessResult result = run_mqtk(joined({"pub", "-dd"}, c.args));
    INFO(describe(result));
    CHECK(result.exit_code == 0);
    CHECK(contains(result.err, std::string(fallback_line) + c.why));
    CHECK_FALSE(contains(result.err, direct_line));
  }
  CHECK(received(receiver) == "fallback/property a\nfallback/tls b\nfallback/will c\n");
}

TEST_CASE("a CONNACK refusal reads the same on both paths, in MQTT 5 and 3.1.1 (exit 3)") {
  BrokerFixture broker({.auth = true});
  const std::vector<std::string> wrong = {"-u", std::string(broker_username), "-P", "wrong",
                                          "-t", "a", "-m", "x", "-q", "1"};
  check_same_on_both_paths(broker, joined({"-V", "5"}, wrong),
                           {"-D", "connect", "user-property", "k", "v"}, 3);
  check_same_on_both_paths(broker, wrong, {"--repeat", "2"}, 3);
  const ProcessResult v5 = run_pub(broker, joined({"-V", "5"}, wrong));
  CHECK(contains(v5.err, "connection refused by broker: not authorized (reason 0x87)"));
}

TEST_CASE("a broker not listening and an oversize payload read the same on both paths") {
  BrokerFixture small({.extra_config = {"max_packet_size 1000"}});
  check_same_on_both_paths(small, {"-V", "5", "-t", "big", "--size", "2000", "-q", "1"},
                           {"-D", "publish", "content-type", "x"}, 1);
  const ProcessResult oversize = run_pub(small, {"-V", "5", "-t", "big", "--size", "2000"});
  CHECK(lines_of(oversize.err) ==
        std::vector<std::string>{"mqtk: error: payload of 2000 bytes exceeds the broker's "
                                 "maximum packet size of 1000 bytes"});

  const std::string port = std::to_string(free_port());
  const ProcessResult direct = run_mqtk({"pub", "-h", "127.0.0.1", "-p", port, "-t", "a", "-m", "x"});
  const ProcessResult paho =
      run_mqtk({"pub", "-h", "127.0.0.1", "-p", port, "-t", "a", "-m", "x", "--repeat", "2"});
  INFO(describe(direct));
  CHECK(direct.exit_code == 3);
  CHECK(paho.exit_code == 3);
  CHECK(direct.err == "mqtk: error: could not connect to mqtt://127.0.0.1:" + port +
                          ": connection refused\n");
  CHECK(paho.err == direct.err);
}

TEST_CASE("the broker dropping the connection before the PUBACK: exit 1, as on the core client") {
  // mosquitto closes a 3.1.1 connection whose packet is above max_packet_size, without a word.
  BrokerFixture small({.extra_config = {"max_packet_size 1000"}});
  const ProcessResult result = run_pub(small, {"-t", "big", "--size", "2000", "-q", "1"});
  INFO(describe(result));
  CHECK(result.exit_code == 1);
  CHECK(lines_of(result.err) ==
        std::vector<std::string>{"mqtk: warning: connection lost: connection lost",
                                 "mqtk: error: publish to 'big' failed: Operation discarded "
                                 "before completion"});
}

TEST_CASE("SIGINT or SIGTERM while the broker does not answer the CONNECT: 130 or 143") {
  BrokerFixture broker;
  FaultProxy stalled(broker.host(), broker.port());
  stalled.stall(true);
  for (const int signo : {SIGINT, SIGTERM}) {
    const std::size_t before = stalled.counters().accepted;
    ChildProcess child(joined({mqtk_binary_path(), "-d", "pub", "-h", stalled.host(), "-p",
                               std::to_string(stalled.port()), "--connect-timeout", "60"},
                              {"-t", "a", "-m", "x", "-q", "1"}));
    REQUIRE(stalled.wait_for_accepted(before + 1));
    child.signal(signo);
    const ProcessResult result = child.wait(20s);
    INFO(describe(result));
    CHECK(result.exit_code == (signo == SIGINT ? 130 : 143));
    CHECK(contains(result.err, direct_line));
    CHECK_FALSE(contains(result.err, "error"));
  }
}
