// A stalled network (FaultProxy::stall: sockets open, nothing moves) under `mqtk sub -k 5`: the
// core's liveness watch (src/core/liveness_watch.hpp) notices that the broker has sent nothing
// for longer than a healthy connection ever stays silent, cuts the connection, mqtk reconnects,
// and the QoS 1 messages published during and after the stall arrive. Before that, an idle but
// healthy connection must survive two whole keepalive rounds untouched. 5 s is mqtk's (and
// mosquitto's) smallest keepalive.
//
// Issue 8 asks for detection within 1.5x the keepalive (7.5 s here); paho.mqtt.c 1.3 alone took
// about 13 s (2.7x): it pings after 5 s idle and gives up only a keepalive after an unanswered
// PINGREQ. The bound below has 1 s of slack for a loaded CI machine; without the watch it fails.

#include "faults/fault_harness.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <string>

using namespace mqtk::test;
using namespace mqtk::test::faults;

TEST_CASE("sub -k 5 detects a stalled connection, reconnects and loses no QoS 1 message") {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  const std::string id = unique_id("stall");
  ChildProcess mqtk(mqtk_via(
      proxy, "sub", joined({"-i", id, "-c", "-q", "1", "-k", "5", "-t", "stall/#"}, quick_reconnect)));
  REQUIRE(sub::wait_for_log_count(broker, sub::suback_line(id), 1));
  sub::publish(broker, {"-t", "stall/n", "-q", "1", "-m", "1"});
  Arrivals arrivals;
  arrivals.read_until_complete(mqtk, 1, 10s);
  REQUIRE(arrivals.complete(1));

  // Healthy and idle for more than two keepalives: paho's PINGREQs are answered, nothing is cut.
  {
    const auto idle_until = std::chrono::steady_clock::now() + 11s;
    while (std::chrono::steady_clock::now() < idle_until) {
      if (auto line = mqtk.read_line(200ms)) arrivals.lines.push_back(std::move(*line));
    }
  }
  REQUIRE_MESSAGE(!contains(mqtk.err(), "connection lost"), mqtk.err());
  REQUIRE(proxy.counters().accepted == 1);

  proxy.stall(true);
  const auto stalled_at = std::chrono::steady_clock::now();
  sub::publish(broker, {"-t", "stall/n", "-q", "1", "-m", "2"});  // queued for the session
  const auto give_up_at = stalled_at + 25s;
  while (!contains(mqtk.err(), "connection stalled") && std::chrono::steady_clock::now() < give_up_at) {
    if (auto line = mqtk.read_line(50ms)) arrivals.lines.push_back(std::move(*line));
  }
  const auto detected_after = std::chrono::steady_clock::now() - stalled_at;
  const auto detected_ms = std::chrono::duration_cast<std::chrono::milliseconds>(detected_after);
  MESSAGE("stall detected after " << detected_ms.count() << " ms with -k 5");
  INFO(mqtk.err());
  REQUIRE(contains(mqtk.err(), "the broker sent nothing for"));
  CHECK(detected_ms < 7500ms + 1000ms);
  // A new connection means mqtk gave up on the silent one.
  REQUIRE(proxy.wait_for_accepted(2, 10s));
  proxy.stall(false);

  REQUIRE(sub::wait_for_log_count(broker, "New client connected from", 2, 20s));
  sub::publish(broker, {"-t", "stall/n", "-q", "1", "-m", "3"});
  arrivals.read_until_complete(mqtk, 3, 20s);
  check_all_arrived(arrivals, 3);

  mqtk.signal(SIGINT);
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(contains(mqtk.err(), "connection lost"));
  CHECK(contains(mqtk.err(), "reconnected"));
}
