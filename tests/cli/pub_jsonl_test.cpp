// `mqtk pub --jsonl`: replaying a `mqtk sub --json` capture byte for byte (binary, JSON with
// spaces and newlines, UTF-8, empty, retained, v5 properties), per-record topics with the
// command line as defaults, malformed lines (--on-error stop|skip), --replay-timing, --loop.

#include "cli/pub_harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace mqtk::test;
using namespace mqtk::test::pub;

namespace {

// The capture's lines without "received_at", the one field that cannot round-trip.
std::vector<std::string> without_received_at(const std::string& capture) {
  std::vector<std::string> out;
  for (const std::string& line : lines_of(capture)) {
    const auto at = line.find(",\"received_at\":\"");
    if (at == std::string::npos) {
      out.push_back(line);
      continue;
    }
    const auto end = line.find('"', at + 16);
    out.push_back(line.substr(0, at) + line.substr(end + 1));
  }
  return out;
}

}  // namespace

TEST_CASE("--jsonl replays a `mqtk sub --json` capture byte for byte") {
  constexpr int messages = 8;
  const std::vector<std::string> watch{"-V", "5", "-t", "cap/#", "-q", "1", "--retain-as-published",
                                       "-F", "%t|%q|%r|%C|%P|%D|%R|%x", "-C",
                                       std::to_string(messages)};
  TempDir dir;
  const std::string binary("\x00\x01\xff\xfe\n\r\x80", 7);
  const auto binary_file = dir.write_file("binary", binary);
  const std::string spaced_json = " { \"a\" : [1, 2],\n  \"b\": \"x y\" }\n";
  const auto json_file = dir.write_file("spaced.json", spaced_json);

  // The original traffic on broker A, captured by mqtk and watched by mosquitto_sub.
  BrokerFixture a;
  sub::publish(a, {"-V", "5", "-t", "cap/retained", "-m", "kept", "-r", "-q", "1", "-D",
                   "publish", "content-type", "text/plain"});
  ChildProcess capture = sub::start_sub(
      a, unique_id("capture"), {"-V", "5", "-t", "cap/#", "-q", "1", "--json", "-C",
                                std::to_string(messages)});
  ChildProcess watch_a = start_receiver(a, watch);
  sub::publish(a, {"-V", "5", "-t", "cap/binary", "-f", binary_file.string(), "-q", "1"});
  sub::publish(a, {"-V", "5", "-t", "cap/json", "-f", json_file.string()});
  sub::publish(a, {"-V", "5", "-t", "cap/utf8", "-m", "héllo ✓ 日本", "-D", "publish",
                   "payload-format-indicator", "1"});
  sub::publish(a, {"-V", "5", "-t", "cap/empty", "-n", "-q", "2"});
  sub::publish(a, {"-V", "5", "-t", "cap/number", "-m", "42"});
  sub::publish(a, {"-V", "5", "-t", "cap/quoted", "-m", "\"just a JSON string\""});
  sub::publish(a, {"-V", "5", "-t", "cap/props", "-m", "request", "-q", "1", "-D", "publish",
                   "user-property", "k", "v1", "-D", "publish", "user-property", "k", "v2", "-D",
                   "publish", "correlation-data", "c0rr", "-D", "publish", "response-topic",
                   "cap/reply", "-D", "publish", "content-type", "application/x"});
  const ProcessResult captured = capture.wait(20s);
  REQUIRE_MESSAGE(captured.exit_code == 0, "capture: " << describe(captured));
  const std::string watched_a = received(watch_a);

  // The replay on broker B, captured and watched the same way.
  BrokerFixture b;
  ChildProcess recapture = sub::start_sub(
      b, unique_id("recapture"), {"-V", "5", "-t", "cap/#", "-q", "1", "--rap", "--json", "-C",
                                  std::to_string(messages)});
  ChildProcess watch_b = start_receiver(b, watch);
  const ProcessResult replay = run_pub(b, {"-V", "5", "--jsonl"}, captured.out);
  CHECK_MESSAGE(replay.exit_code == 0, "replay: " << describe(replay));
  const ProcessResult recaptured = recapture.wait(20s);
  CHECK_MESSAGE(recaptured.exit_code == 0, "recapture: " << describe(recaptured));
  const std::string watched_b = received(watch_b);

  CHECK(watched_b == watched_a);
  CHECK(contains(watched_a, "cap/binary|1|0|||||" + hex(binary) + "\n"));
  CHECK(contains(watched_a, "cap/json|0|0|||||" + hex(spaced_json) + "\n"));
  CHECK(contains(watched_a, "cap/retained|1|1|text/plain|"));
  CHECK(contains(watched_a, "cap/props|1|0|application/x|k:v1 k:v2|c0rr|cap/reply|"));
  CHECK(without_received_at(recaptured.out) == without_received_at(captured.out));
}

TEST_CASE("--jsonl: each record names its topic; missing fields default to -t, -q and -r") {
  BrokerFixture broker;
  ChildProcess receiver = start_receiver(
      broker, {"-V", "5", "-t", "d/#", "-q", "2", "--retain-as-published", "-F", "%t %q %r %x",
               "-C", "5"});
  const std::string input =
      R"({"topic":"d/a","payload":"x"})" "\n"
      R"({"payload":"y"})" "\n"
      R"({"topic":"d/b","payload":{"n":1},"qos":0,"retain":false})" "\n"
      R"({"topic":"d/c","payload":"AAH/","payload_encoding":"base64","qos":2})" "\n"
      // mosquitto_sub -F %j: retain as 0/1, unknown keys (tst, payloadlen) ignored
      R"({"tst":"2026-01-01T00:00:00.000000Z+0000","topic":"d/m","qos":0,"retain":0,)"
      R"("payloadlen":5,"payload":"hello"})"
      "\n";
  const ProcessResult result =
      run_pub(broker, {"-V", "5", "--jsonl", "-t", "d/default", "-q", "1", "-r"}, input);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  // Different QoS levels are not ordered with each other (QoS 2 waits for PUBREL): sorted.
  std::vector<std::string> got = lines_of(received(receiver));
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{"d/a 1 1 " + hex("x"), "d/b 0 0 " + hex("{\"n\":1}"),
                                        "d/c 2 1 0001ff", "d/default 1 1 " + hex("y"),
                                        "d/m 0 0 " + hex("hello")});

  const ProcessResult no_topic = run_pub(broker, {"--jsonl"}, R"({"payload":"y"})" "\n");
  CHECK(no_topic.exit_code == 2);
  CHECK(contains(no_topic.err, "line 1"));
  CHECK(contains(no_topic.err, "no topic"));
}

TEST_CASE("--jsonl: a malformed line N stops with exit 2 naming it, after the lines before it") {
  BrokerFixture broker;
  const std::string input =
      R"({"topic":"m/1","payload":"one"})" "\n"
      R"({"topic":"m/2","payload":"two"})" "\n"
      R"({"topic":"m/3","payload": )" "\n"
      R"({"topic":"m/4","payload":"four","qos":7})" "\n"
      R"({"topic":"m/+","payload":"wildcard"})" "\n"
      R"({"topic":"m/6","payload":"six","properties":{"no_such_property":1}})" "\n"
      R"({"topic":"m/7","payload":"seven"})" "\n";

  SUBCASE("--on-error stop (the default)") {
    ChildProcess receiver = start_receiver(broker, {"-t", "m/#", "-q", "1", "-C", "2", "-v"});
    const ProcessResult result = run_pub(broker, {"--jsonl", "-q", "1"}, input);
    INFO(describe(result));
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "line 3"));
    CHECK_FALSE(contains(result.err, "line 4"));
    CHECK(received(receiver) == "m/1 one\nm/2 two\n");
  }
  SUBCASE("--on-error skip reports each bad line and goes on") {
    ChildProcess receiver = start_receiver(broker, {"-t", "m/#", "-q", "1", "-C", "3", "-v"});
    const ProcessResult result =
        run_pub(broker, {"--jsonl", "-q", "1", "--on-error", "skip"}, input);
    INFO(describe(result));
    CHECK(result.exit_code == 0);
    for (const char* line : {"line 3", "line 4", "line 5", "line 6"})
      CHECK(contains(result.err, line));
    CHECK(contains(result.err, "qos"));
    CHECK(received(receiver) == "m/1 one\nm/2 two\nm/7 seven\n");
  }
}

TEST_CASE("--replay-timing keeps the capture's gaps, scaled by --speed") {
  BrokerFixture broker;
  ChildProcess receiver = start_receiver(broker, {"-t", "t/#", "-C", "3", "-v"});
  const std::string input =
      R"({"topic":"t/1","payload":"a","received_at":"2026-01-01T00:00:00.000Z"})" "\n"
      R"({"topic":"t/2","payload":"b","received_at":"2026-01-01T00:00:00.800Z"})" "\n"
      R"({"topic":"t/3","payload":"c","received_at":"2026-01-01T00:00:01.600Z"})" "\n";
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult result =
      run_pub(broker, {"--jsonl", "--replay-timing", "--speed", "2"}, input);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(received(receiver) == "t/1 a\nt/2 b\nt/3 c\n");
  CHECK(elapsed >= 700ms);  // 1.6 s of capture at speed 2, loosely

  CHECK(run_pub(broker, {"--jsonl", "--replay-timing", "--speed", "0"}, input).exit_code == 2);
  CHECK(run_pub(broker, {"-t", "t/x", "-l", "--replay-timing"}, "x\n").exit_code == 2);
  CHECK(run_pub(broker, {"-t", "t/x", "-m", "x", "--loop"}).exit_code == 2);
}

TEST_CASE("--jsonl -f FILE --loop repeats the capture until SIGINT, then exits 130") {
  BrokerFixture broker;
  TempDir dir;
  const auto file = dir.write_file(
      "capture.jsonl",
      R"({"topic":"l/a","payload":"a","received_at":"2026-01-01T00:00:00.000Z"})" "\n"
      R"({"topic":"l/b","payload":"b","received_at":"2026-01-01T00:00:00.050Z"})" "\n");
  ChildProcess receiver = sub::start_peer(broker, unique_id("loop"), {"-t", "l/#", "-v"});
  ChildProcess mqtk(mqtk_argv(broker, "pub",
                              {"--jsonl", "-f", file.string(), "--loop", "--replay-timing"}),
                    {.pipe_stdin = true});
  std::vector<std::string> got;
  for (int i = 0; i < 6; ++i) {
    const auto line = receiver.read_line(10s);
    REQUIRE(line);
    got.push_back(*line);
  }
  CHECK(got == std::vector<std::string>{"l/a a", "l/b b", "l/a a", "l/b b", "l/a a", "l/b b"});
  mqtk.signal(SIGINT);
  const ProcessResult result = wait_with_stdin_open(mqtk);
  INFO(describe(result));
  CHECK(result.exit_code == 130);
}
