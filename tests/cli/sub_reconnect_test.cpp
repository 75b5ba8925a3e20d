// `mqtk sub` when things around it change: the broker restarts (reconnect, persistent sessions),
// a signal arrives, the reader goes away (`| head -n 1`) or stdout fills up (/dev/full).

#include "cli/sub_harness.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

using namespace mqtk::test;
using namespace mqtk::test::sub;

TEST_CASE("an unbounded sub reconnects after a broker restart and resubscribes") {
  BrokerFixture broker({.persistence = true});
  const std::string id = unique_id("re");
  ChildProcess mqtk = start_sub(broker, id, {"-t", "re/#", "-v", "--reconnect-min", "0.2"});
  publish(broker, {"-t", "re/a", "-m", "before"});
  CHECK(mqtk.read_line(15s) == "re/a before");

  broker.restart();
  // A clean session: nothing to resume, so mqtk must subscribe again before the next message.
  REQUIRE(wait_for_log_count(broker, suback_line(id), 2, 30s));
  publish(broker, {"-t", "re/a", "-m", "after"});
  CHECK(mqtk.read_line(15s) == "re/a after");

  mqtk.signal(SIGINT);
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());  // reconnect progress never reaches stdout
  CHECK(contains(mqtk.err(), "connection lost"));
  CHECK(contains(mqtk.err(), "reconnected"));
}

TEST_CASE("with -c -i -q 1 no QoS 1 message published across a restart is lost") {
  BrokerFixture broker({.persistence = true});
  const std::string id = unique_id("session");
  ChildProcess mqtk =
      start_sub(broker, id, {"-c", "-q", "1", "-t", "ps/#", "-v", "--reconnect-min", "1"});
  publish(broker, {"-t", "ps/a", "-m", "1", "-q", "1"});
  CHECK(mqtk.read_line(15s) == "ps/a 1");

  broker.restart();
  // Published at once, before mqtk is back: the persisted session holds them.
  publish(broker, {"-t", "ps/a", "-m", "2", "-q", "1"});
  publish(broker, {"-t", "ps/b", "-m", "3", "-q", "1"});
  CHECK(mqtk.read_line(30s) == "ps/a 2");
  CHECK(mqtk.read_line(15s) == "ps/b 3");
  publish(broker, {"-t", "ps/a", "-m", "4", "-q", "1"});
  CHECK(mqtk.read_line(15s) == "ps/a 4");

  mqtk.signal(SIGTERM);
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);  // unbounded: a signal is the normal way to stop
  CHECK(result.out.empty());
  CHECK(contains(mqtk.err(), "reconnected"));
}

TEST_CASE("SIGINT and SIGTERM disconnect cleanly; 130/143 when -C was not reached") {
  BrokerFixture broker;
  struct Case {
    int signal;
    std::vector<std::string> args;
    int exit_code;
  };
  const std::vector<Case> cases{{SIGINT, {}, 0},
                                {SIGTERM, {}, 0},
                                {SIGINT, {"-C", "5"}, 130},
                                {SIGTERM, {"-C", "5"}, 143},
                                {SIGTERM, {"--until", "topic:never"}, 143}};
  for (const Case& c : cases) {
    CAPTURE(c.signal);
    CAPTURE(c.exit_code);
    const std::string id = unique_id("sig");
    ChildProcess mqtk = start_sub(broker, id, joined({"-t", "sig/a"}, c.args));
    publish(broker, {"-t", "sig/a", "-m", "one"});
    CHECK(mqtk.read_line(15s) == "one");
    mqtk.signal(c.signal);
    const ProcessResult result = mqtk.wait(20s);
    INFO(describe(result));
    CHECK(result.exit_code == c.exit_code);
    CHECK(broker.wait_for_log("Received DISCONNECT from " + id));
  }
}

TEST_CASE("mqtk sub | head -n 1 ends quietly with exit 0 when head goes away") {
  BrokerFixture broker;
  const std::string id = unique_id("head");
  ChildProcess pipeline(
      joined({"bash", "-c", R"("$@" | head -n 1; echo "mqtk exit ${PIPESTATUS[0]}" >&2)", "sh"},
             sub_argv(broker, id, {"-t", "h/a"})),
      ChildOptions{.new_process_group = true});
  REQUIRE(wait_for_log_count(broker, suback_line(id), 1));
  publish(broker, {"-t", "h/a", "-m", "first"});
  CHECK(pipeline.read_line(15s) == "first");  // head printed it and exited
  // mqtk learns that its reader is gone at its next write, as mosquitto_sub does.
  publish(broker, {"-t", "h/a", "-m", "second"});
  const ProcessResult result = pipeline.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(contains(result.err, "mqtk exit 0"));
  CHECK_FALSE(contains(result.err, "Broken pipe"));
  CHECK_FALSE(contains(result.err, "error"));
  CHECK(broker.wait_for_log("Received DISCONNECT from " + id));
}

TEST_CASE("stdout on /dev/full: exit 1 naming the error") {
  BrokerFixture broker;
  const std::string id = unique_id("full");
  ChildProcess mqtk(
      joined({"sh", "-c", R"(exec "$@" > /dev/full)", "sh"}, sub_argv(broker, id, {"-t", "f/a"})));
  REQUIRE(wait_for_log_count(broker, suback_line(id), 1));
  publish(broker, {"-t", "f/a", "-m", "nowhere to go"});
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 1);
  CHECK(contains(result.err, "No space left on device"));
}

// BUG (src/core/client.cpp Client::Impl::~Impl, reported): destroying a Client whose connect
// is still in flight calls paho's set_message_callback(nullptr), which throws (paho.mqtt.c
// refuses MQTTAsync_setCallbacks while connecting) from a destructor: std::terminate, exit 134.
TEST_CASE("SIGINT while the connect is pending exits 130") {
  BrokerFixture broker;
  broker.pause();  // accepts the TCP connection, never answers CONNECT
  ChildProcess mqtk(
      joined({mqtk_binary_path(), "-d", "sub"}, joined(broker_args(broker), {"-t", "a"})));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!contains(mqtk.err(), "connecting to") && std::chrono::steady_clock::now() < deadline)
    (void)mqtk.read_line(50ms);  // collects stderr meanwhile
  REQUIRE(contains(mqtk.err(), "connecting to"));
  mqtk.signal(SIGINT);
  const ProcessResult result = mqtk.wait(20s);
  broker.resume();
  INFO(describe(result));
  CHECK(result.exit_code == 130);
  CHECK_FALSE(contains(result.err, "terminate"));
}
