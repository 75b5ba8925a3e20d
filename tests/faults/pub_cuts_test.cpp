// `mqtk pub -l -q 1 --reconnect` through a FaultProxy that cuts the connection five times, each
// time in the middle of a packet (PUBLISHes towards the broker, PUBACKs towards mqtk), while a
// mosquitto_sub connected straight to the broker receives: every line arrives at least once and
// nothing arrives that was not published.
//
// Order: every line arrives for the first time in stdin's order, across the reconnects too.
// mqtk's own engine (plain TCP) resends what the cut swallowed before anything newer. Through
// paho.mqtt.c 1.3.12 a few came early: it sends the publishes still in its command queue right
// after CONNACK, before mqtk can resend the older ones (seen in a MQTT_C_CLIENT_TRACE).

#include "faults/fault_harness.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mqtk::test;
using namespace mqtk::test::faults;

namespace {

void pub_survives_cuts(const std::vector<std::string>& session_args) {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  ChildProcess receiver =
      sub::start_peer(broker, unique_id("cut-recv"), {"-t", "cuts/n", "-q", "1"});
  ChildProcess mqtk(mqtk_via(proxy, "pub",
                             joined(joined({"-i", unique_id("cut-pub"), "-t", "cuts/n", "-q", "1",
                                            "-l", "--reconnect"},
                                           session_args),
                                    quick_reconnect)),
                    ChildOptions{.pipe_stdin = true});

  constexpr int cuts = 5;
  constexpr int per_round = 40;
  int written = per_round;
  Arrivals arrivals;
  // Connected first: a cut during the very first connect is a failed start (exit 3).
  REQUIRE(mqtk.write_stdin(pub::numbered_lines(1, written)));
  auto first = receiver.read_line(15s);
  REQUIRE(first);
  arrivals.lines.push_back(*first);
  for (int round = 1; round <= cuts; ++round) {
    CAPTURE(round);
    proxy.cut_mid_packet(round % 2 == 0 ? FaultProxy::Direction::to_client
                                        : FaultProxy::Direction::to_broker);
    REQUIRE(mqtk.write_stdin(pub::numbered_lines(written + 1, written + per_round)));
    written += per_round;
    REQUIRE_MESSAGE(proxy.wait_for_cuts(static_cast<std::size_t>(round), 15s), mqtk.err());
    REQUIRE_MESSAGE(proxy.wait_for_accepted(static_cast<std::size_t>(round) + 1, 15s), mqtk.err());
    // Everything so far arrived, so the new connection carries traffic: the next cut lands in
    // a PUBLISH or PUBACK, not in the handshake (a cut CONNACK only costs backoff).
    arrivals.read_until_complete(receiver, written, 15s);
    REQUIRE_MESSAGE(arrivals.complete(written), mqtk.err());
  }
  REQUIRE(mqtk.write_stdin(pub::numbered_lines(written + 1, written + per_round)));
  written += per_round;
  mqtk.close_stdin();

  arrivals.read_until_complete(receiver, written, 20s);
  const ProcessResult result = mqtk.wait(30s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);  // every QoS 1 acknowledgement came in the end
  CHECK(contains(result.err, "reconnected"));
  check_all_arrived(arrivals, written);
  CHECK(out_of_order_first_arrivals(arrivals) == 0);
  CHECK(proxy.counters().cuts == cuts);
}

}  // namespace

TEST_CASE("pub -l -q 1 --reconnect delivers every line across 5 mid-packet cuts") {
  pub_survives_cuts({});
}

// With a persistent session, after a PUBLISH was cut mid-packet, the resends after the reconnect
// must be well-formed. Through paho.mqtt.c 1.3.12 they were not (about one run in four,
// mosquitto closed each reconnect as "malformed packet"), so this case was skipped; mqtk's own
// engine, which plain TCP now uses, resends whole packets from its session state.
TEST_CASE("pub -l -q 1 -c --reconnect delivers every line across 5 mid-packet cuts") {
  pub_survives_cuts({"-c"});
}
