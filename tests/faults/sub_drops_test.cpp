// `mqtk sub -c -i ID -q 1` through a FaultProxy that drops every connection five times (RST) while
// mosquitto_pub (straight to the broker) keeps publishing numbered QoS 1 messages: every number
// is printed at least once.

#include "faults/fault_harness.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <string>

using namespace mqtk::test;
using namespace mqtk::test::faults;

namespace {

void sub_survives_drops(FaultProxy::Drop how, int drops) {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  const std::string id = unique_id("drops");
  const std::size_t subacks_before = sub::count_of(broker.log(), sub::suback_line(id));
  ChildProcess mqtk(mqtk_via(proxy, "sub",
                             joined({"-i", id, "-c", "-q", "1", "-t", "drops/#"}, quick_reconnect)));
  REQUIRE(sub::wait_for_log_count(broker, sub::suback_line(id), subacks_before + 1));

  ChildProcess publisher(
      joined(joined({"mosquitto_pub"}, sub::broker_args(broker)), {"-t", "drops/n", "-q", "1", "-l"}),
      ChildOptions{.pipe_stdin = true});
  constexpr int per_round = 40;
  int published = 0;
  Arrivals arrivals;
  for (int round = 1; round <= drops; ++round) {
    REQUIRE(publisher.write_stdin(pub::numbered_lines(published + 1, published + per_round)));
    published += per_round;
    // Let part of the round arrive so the drop lands with messages in flight and queued.
    if (auto line = mqtk.read_line(10s)) arrivals.lines.push_back(std::move(*line));
    proxy.drop_all(how);
    REQUIRE_MESSAGE(proxy.wait_for_accepted(static_cast<std::size_t>(round) + 1, 20s), mqtk.err());
    // The next drop must hit a live connection, not the handshake of this one. On a loaded
    // machine (~1 run in 10) a drop that came right after the proxy accepted the reconnect was
    // never noticed: mqtk logged "reconnected" and then nothing, with paho's receive thread idle.
    // It looks like paho.mqtt.c missing a reset that lands during its CONNACK handling; not
    // pinned down. So wait until mqtk says it is back.
    const auto back_by = std::chrono::steady_clock::now() + 20s;
    while (sub::count_of(mqtk.err(), "reconnected") < static_cast<std::size_t>(round) &&
           std::chrono::steady_clock::now() < back_by) {
      if (auto line = mqtk.read_line(100ms)) arrivals.lines.push_back(std::move(*line));
    }
    REQUIRE_MESSAGE(sub::count_of(mqtk.err(), "reconnected") >= static_cast<std::size_t>(round), mqtk.err());
  }
  REQUIRE(publisher.write_stdin(pub::numbered_lines(published + 1, published + per_round)));
  published += per_round;
  const ProcessResult publisher_result = publisher.wait(20s);
  REQUIRE_MESSAGE(publisher_result.ok(), describe(publisher_result));

  arrivals.read_until_complete(mqtk, published, 20s);
  check_all_arrived(arrivals, published);
  CHECK(proxy.counters().accepted >= static_cast<std::size_t>(drops) + 1);

  mqtk.signal(SIGTERM);
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(contains(result.err, "reconnected"));
  CHECK_FALSE(contains(result.err, "terminate"));
}

}  // namespace

TEST_CASE("sub -c -q 1 loses no QoS 1 message across 5 connection resets") {
  sub_survives_drops(FaultProxy::Drop::reset, 5);
}

// The same with an orderly close; fewer rounds, since the test budget is shared.
TEST_CASE("sub -c -q 1 loses no QoS 1 message across connections closed with a FIN") {
  sub_survives_drops(FaultProxy::Drop::fin, 2);
}
