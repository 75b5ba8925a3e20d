// `mqtk pub -l`: every stdin line is a message, published as it arrives, in order and exactly
// once at QoS 1; flow control when stdin is faster than the broker; acknowledgements awaited at
// EOF (exit 4 naming the missing count); SIGINT/SIGTERM; a broker restart with --reconnect.

#include "cli/pub_harness.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace mqtk::test;
using namespace mqtk::test::pub;

namespace {

// "" when equal, else where the two texts of lines first differ (a 100,000-line CHECK failure
// would print megabytes).
std::string line_difference(const std::string& got, const std::string& expected) {
  const std::vector<std::string> a = lines_of(got), b = lines_of(expected);
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    if (a[i] != b[i])
      return "line " + std::to_string(i + 1) + ": got '" + a[i].substr(0, 40) + "', expected '" +
             b[i].substr(0, 40) + "'";
  if (a.size() != b.size())
    return "got " + std::to_string(a.size()) + " lines, expected " + std::to_string(b.size());
  return got == expected ? "" : "a final newline differs";
}

std::string publish_from(const std::string& id) { return "Received PUBLISH from " + id + " "; }

}  // namespace

TEST_CASE("-l -q 1: 100,000 lines arrive exactly once and in order") {
  // The receiver acknowledges slower than mqtk publishes: without a limit on its queue the
  // broker (not mqtk) would drop what does not fit in its default 10,000.
  BrokerFixture broker({.extra_config = {"max_queued_messages 0"}});
  ChildProcess receiver = start_receiver(broker, {"-t", "s/n", "-q", "1", "-C", "100000"});
  const std::string input = numbered_lines(1, 100000);
  const ProcessResult result = run_pub(broker, {"-t", "s/n", "-q", "1", "-l"}, input, 120s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  const ProcessResult got = receiver.wait(60s);
  CHECK_MESSAGE(got.exit_code == 0, "the receiver did not get 100,000 messages");
  CHECK(line_difference(got.out, input) == "");
}

TEST_CASE("-l: a last line without a newline is sent; empty lines are empty messages; \\r stays") {
  BrokerFixture broker;
  ChildProcess receiver = start_receiver(broker, {"-t", "s/e", "-q", "1", "-C", "7", "-F", "[%x]"});
  const ProcessResult result =
      run_pub(broker, {"-t", "s/e", "-q", "1", "-l"}, "first\n\n\nmiddle\n\ncrlf\r\nlast");
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(received(receiver) == "[" + hex("first") + "]\n[]\n[]\n[" + hex("middle") + "]\n[]\n[" +
                                  hex("crlf\r") + "]\n[" + hex("last") + "]\n");
}

TEST_CASE("-l publishes each line as it arrives, not at EOF") {
  BrokerFixture broker;
  ChildProcess receiver = start_receiver(broker, {"-t", "s/live", "-C", "3"});
  ChildProcess mqtk(mqtk_argv(broker, "pub", {"-t", "s/live", "-l", "-q", "1"}),
                    {.pipe_stdin = true});
  REQUIRE(mqtk.write_stdin("one\n"));
  CHECK(receiver.read_line(10s) == std::optional<std::string>("one"));
  REQUIRE(mqtk.write_stdin("two\n"));
  CHECK(receiver.read_line(10s) == std::optional<std::string>("two"));
  REQUIRE(mqtk.write_stdin("three"));  // not a line yet: it may still grow
  CHECK(receiver.read_line(300ms) == std::nullopt);
  mqtk.close_stdin();  // EOF ends it
  CHECK(receiver.read_line(10s) == std::optional<std::string>("three"));
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
}

TEST_CASE("-l with stdin faster than a stalled broker: reading stops, memory stays bounded, "
          "nothing is lost") {
  BrokerFixture broker({.extra_config = {"max_queued_messages 0"}});  // as in the 100,000 case
  constexpr int lines = 20000;
  std::string input;  // 1 KiB per line: "<n> xxx...x\n", 20 MiB in all
  for (int i = 1; i <= lines; ++i) {
    std::string line = std::to_string(i) + " ";
    line.resize(1023, 'x');
    input += line + "\n";
  }
  ChildProcess receiver =
      start_receiver(broker, {"-t", "s/fast", "-q", "1", "-C", std::to_string(lines), "-F", "%l"});
  const std::string id = unique_id("fast");
  ChildProcess mqtk(mqtk_argv(broker, "pub", {"-i", id, "-t", "s/fast", "-l", "-q", "1"}),
                    {.pipe_stdin = true});
  REQUIRE(broker.wait_for_log("Sending CONNACK to " + id));
  broker.pause();
  // The whole input does not fit: mqtk stops reading once its window and buffer are full.
  const bool all_written = mqtk.write_stdin(input, 3s);
  const long paused_rss = rss_kib(mqtk.pid());
  broker.resume();
  CHECK_FALSE(all_written);
  MESSAGE("RSS while the broker was stalled: " << paused_rss << " KiB");
  CHECK(paused_rss > 0);
  // The input is 20 MiB; the buffer holds ~10,000 messages. AddressSanitizer's shadow memory
  // and quarantine add a constant of their own, so that build gets a looser bound.
#ifdef MQTK_SANITIZED
  CHECK(paused_rss < 512 * 1024);
#else
  CHECK(paused_rss < 64 * 1024);
#endif
  REQUIRE(mqtk.write_stdin("", 60s));  // the rest of the input
  mqtk.close_stdin();
  const ProcessResult result = mqtk.wait(60s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  const ProcessResult got = receiver.wait(60s);
  CHECK(got.exit_code == 0);
  CHECK(sub::count_of(got.out, "1023\n") == lines);
}

TEST_CASE("missing acknowledgements: a stalled broker makes pub exit 4 naming the count") {
  BrokerFixture broker;
  const std::string id = unique_id("stall");
  ChildProcess mqtk(
      mqtk_argv(broker, "pub", {"-i", id, "-t", "s/stall", "-l", "-q", "1", "--ack-timeout", "1"}),
      {.pipe_stdin = true});
  REQUIRE(broker.wait_for_log("Sending CONNACK to " + id));
  broker.pause();
  REQUIRE(mqtk.write_stdin("a\nb\nc\n"));
  mqtk.close_stdin();
  const ProcessResult result = mqtk.wait(20s);  // --ack-timeout 1 bounds it, loosely
  broker.resume();
  INFO(describe(result));
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "3 QoS>0 message(s) not acknowledged"));

  // A broker that never answers CONNECT: exit 3 after --connect-timeout.
  broker.pause();
  const ProcessResult no_connack =
      run_pub(broker, {"-t", "s/stall", "-m", "x", "-q", "1", "--connect-timeout", "1"});
  broker.resume();
  INFO(describe(no_connack));
  CHECK(no_connack.exit_code == 3);
}

TEST_CASE("SIGINT/SIGTERM during -l: what was read is delivered, then exit 130/143") {
  for (const auto& [signo, code] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
    CAPTURE(signo);
    BrokerFixture broker;
    ChildProcess receiver = start_receiver(broker, {"-t", "s/sig", "-q", "1", "-C", "2"});
    const std::string id = unique_id("sig");
    ChildProcess mqtk(mqtk_argv(broker, "pub", {"-i", id, "-t", "s/sig", "-l", "-q", "1"}),
                      {.pipe_stdin = true});
    REQUIRE(mqtk.write_stdin("read 1\nread 2\n"));
    REQUIRE(sub::wait_for_log_count(broker, publish_from(id), 2));  // read and sent
    mqtk.signal(signo);
    const ProcessResult result = wait_with_stdin_open(mqtk);
    INFO(describe(result));
    CHECK(result.exit_code == code);
    CHECK(received(receiver) == "read 1\nread 2\n");
  }
}

TEST_CASE("a signal while -l waits for a stalled broker ends it after --ack-timeout, exit 4") {
  BrokerFixture broker;
  const std::string id = unique_id("stuck");
  ChildProcess mqtk(
      mqtk_argv(broker, "pub", {"-i", id, "-t", "s/stuck", "-l", "-q", "1", "--ack-timeout", "1"}),
      {.pipe_stdin = true});
  REQUIRE(broker.wait_for_log("Sending CONNACK to " + id));
  broker.pause();
  // More than the window and the buffer hold: publish() blocks, waiting for room.
  CHECK_FALSE(mqtk.write_stdin(numbered_lines(1, 300000), 3s));
  mqtk.signal(SIGTERM);  // it used to hang until the broker answered
  const ProcessResult result = wait_with_stdin_open(mqtk);
  broker.resume();
  INFO(describe(result));
  CHECK_FALSE(result.timed_out);
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "not acknowledged"));
}

TEST_CASE("--reconnect -q 1 -l: a broker restart mid-stream loses no line") {
  BrokerFixture broker({.persistence = true});
  const std::string receiver_id = unique_id("keep");
  // A persistent session, so that the receiver misses nothing while the broker is down.
  ChildProcess receiver =
      sub::start_peer(broker, receiver_id, {"-c", "-q", "1", "-t", "s/rc"});
  ChildProcess mqtk(mqtk_argv(broker, "pub",
                              {"-i", unique_id("rcpub"), "-t", "s/rc", "-l", "-q", "1",
                               "--reconnect", "--reconnect-min", "0.2", "--reconnect-max", "1"}),
                    {.pipe_stdin = true});
  constexpr int lines = 60;
  for (int i = 1; i <= lines; ++i) {
    REQUIRE(mqtk.write_stdin(std::to_string(i) + "\n"));
    if (i == lines / 2) broker.restart();
    std::this_thread::sleep_for(20ms);  // a slow producer, as tail -f
  }
  mqtk.close_stdin();
  const ProcessResult result = mqtk.wait(30s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);

  // Everything from mqtk was acknowledged by now; an end marker closes the receiver's stream.
  sub::publish(broker, {"-t", "s/rc", "-m", "end", "-q", "1"});
  std::vector<std::string> got;
  while (auto line = receiver.read_line(20s)) {
    if (*line == "end") break;
    got.push_back(*line);
  }
  std::set<int> distinct;
  for (const std::string& line : got) distinct.insert(std::stoi(line));
  const std::size_t duplicates = got.size() - distinct.size();
  MESSAGE("received " << got.size() << " messages for " << lines << " lines, " << duplicates
                      << " duplicate(s)");
  CHECK(distinct.size() == static_cast<std::size_t>(lines));
  CHECK(*distinct.begin() == 1);
  CHECK(*distinct.rbegin() == lines);
  CHECK(duplicates <= static_cast<std::size_t>(lines));
}
