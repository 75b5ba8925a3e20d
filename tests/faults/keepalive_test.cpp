// A stalled network (FaultProxy::stall: sockets open, nothing moves) under `mqtk sub -k 5`: paho's
// keepalive notices the missing PINGRESP, mqtk reconnects, and the QoS 1 messages published
// during and after the stall arrive. 5 s is mqtk's (and mosquitto's) smallest keepalive.
//
// Measured here: the stall is noticed after about 13 s with -k 5 (2.7x, not the 1.5x of issue 8):
// paho.mqtt.c 1.3.12 sends PINGREQ after 5 s idle and gives up only when its next keepalive
// check finds the PINGRESP still missing. Passing paho half the keepalive brings it to about
// 5.7 s, but then CONNECT carries k/2 and -k no longer means what mosquitto_sub's -k means
// (tests/cli/sub_test.cpp checks that it reaches CONNECT unchanged), so that is left open.

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

  proxy.stall(true);
  const auto stalled_at = std::chrono::steady_clock::now();
  sub::publish(broker, {"-t", "stall/n", "-q", "1", "-m", "2"});  // queued for the session
  // A new connection means mqtk gave up on the silent one. Generous: paho pings after 5 s idle
  // and gives up when the PINGRESP has not come by its next keepalive check.
  REQUIRE(proxy.wait_for_accepted(2, 25s));
  const auto detected_after = std::chrono::steady_clock::now() - stalled_at;
  MESSAGE("stall detected after "
          << std::chrono::duration_cast<std::chrono::milliseconds>(detected_after).count()
          << " ms with -k 5");
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
