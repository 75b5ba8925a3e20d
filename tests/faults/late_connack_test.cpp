// A reconnect whose CONNACK comes after --connect-timeout but before paho.mqtt.c gives up on its
// own (one second later): `mqtk sub` must come back. It used to stay down for good: the core
// counted the attempt as failed while paho went on and connected, and paho ignored every later
// connect (found by bridge_cuts_test.cpp, where paho.mqtt.c#1430 makes a connect take ~2 s).

#include "faults/fault_harness.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <string>

using namespace mqtk::test;
using namespace mqtk::test::faults;

TEST_CASE("sub comes back from a reconnect whose CONNACK arrives just after --connect-timeout") {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  const std::string id = unique_id("late-connack");
  ChildProcess mqtk(mqtk_via(proxy, "sub",
                             {"-i", id, "-q", "1", "-t", "late/#", "--connect-timeout", "1", "--reconnect",
                              "--reconnect-min", "0.1", "--reconnect-max", "0.2"}));
  REQUIRE(sub::wait_for_log_count(broker, sub::suback_line(id), 1));

  // CONNECT and CONNACK each held 0.6 s: the CONNACK comes ~1.2 s after the attempt began, past
  // the 1 s --connect-timeout, within paho's own 2 s.
  proxy.set_delay(600ms);
  proxy.drop_all();
  const bool resubscribed = sub::wait_for_log_count(broker, sub::suback_line(id), 2, 15s);
  proxy.set_delay(0ms);
  if (!resubscribed) {
    mqtk.signal(SIGTERM);
    FAIL("no reconnect: " << describe(mqtk.wait(10s)));
  }
  sub::publish(broker, {"-t", "late/n", "-q", "1", "-m", "after the reconnect"});
  const auto line = mqtk.read_line(10s);
  REQUIRE(line);
  CHECK(*line == "after the reconnect");

  mqtk.signal(SIGTERM);
  const ProcessResult result = mqtk.wait(10s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(contains(result.err, "reconnected"));
}
