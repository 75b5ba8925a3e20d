// `mqtk bridge -t 'c/#' -q 1` between two brokers, each side through its own FaultProxy, while a
// publisher (straight to the source broker) sends numbered QoS 1 messages and a persistent
// receiver (straight to the destination broker) collects them: five faults on the source side,
// then five on the destination side. Every number arrives at least once; duplicates are
// reported, not failed (QoS 1 allows them); the final --json-stats record counts at least five
// reconnects per side; SIGTERM ends it with 0.
//
// The faults per side: four resets (RST) and, third, a packet cut in half. On the source side
// they land with messages in flight (the cut halves a PUBLISH to the bridge). On the
// destination side they land while the bridge is idle, the round published during the outage
// (the cut halves the reconnect's CONNACK); the case at the bottom faults the destination while
// the bridge writes to it.

#include "faults/fault_harness.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <csignal>
#include <string>
#include <vector>

using namespace mqtk::test;
using namespace mqtk::test::faults;

namespace {

std::string bridge_cuts_url(const FaultProxy& proxy) {
  return "mqtt://" + proxy.host() + ":" + std::to_string(proxy.port());
}

std::string bridge_cuts_tail(const std::string& log) {
  return log.substr(log.size() > 6000 ? log.size() - 6000 : 0);
}

// One fault per round; the third round of each side cuts a packet instead of resetting.
struct BridgeCutsSide {
  const char* name;
  FaultProxy& proxy;
  const BrokerFixture& broker;
  // Whether the faults land while the bridge is writing to that side (resets with messages in
  // flight, a cut of what the broker sends back), or while it is idle (the round is published
  // during the outage; the cut halves the CONNACK of the reconnect).
  bool while_writing;
};

void bridge_cuts_scenario(bool fault_destination_while_writing) {
  BrokerFixture from;
  BrokerFixture to;
  FaultProxy from_proxy(from.host(), from.port());
  FaultProxy to_proxy(to.host(), to.port());

  const std::string receiver_id = unique_id("bcuts-recv");
  ChildProcess receiver = sub::start_sub(to, receiver_id, {"-c", "-q", "1", "-t", "c/#"});

  const std::string name = unique_id("cuts");
  const std::string bridge_id = "mqtk-bridge-" + name;
  const std::size_t subacks_before = sub::count_of(from.log(), sub::suback_line(bridge_id + "-from"));
  ChildProcess bridge(
      {mqtk_binary_path(), "bridge", "--from", bridge_cuts_url(from_proxy), "--to", bridge_cuts_url(to_proxy),
       "--name", name, "-t", "c/#", "-q", "1", "--json-stats", "--stats", "3600", "--log-level", "info",
       "--from-reconnect-min", "0.1", "--from-reconnect-max", "0.5", "--from-connect-timeout", "2",
       "--to-reconnect-min", "0.1", "--to-reconnect-max", "0.5", "--to-connect-timeout", "2"});
  REQUIRE_MESSAGE(sub::wait_for_log_count(from, sub::suback_line(bridge_id + "-from"), subacks_before + 1),
                  describe(bridge.wait(1s)));

  ChildProcess publisher(joined({mqtk_binary_path(), "pub", "-i", unique_id("bcuts-pub"), "-q", "1", "-l",
                                 "-t", "c/n"},
                                sub::broker_args(from)),
                         ChildOptions{.pipe_stdin = true});

  constexpr int per_round = 30;
  constexpr int faults_per_side = 5;
  int written = 0;
  Arrivals arrivals;
  const auto fail_with_outputs = [&](const std::string& what) {
    bridge.signal(SIGTERM);
    publisher.close_stdin();
    FAIL_CHECK(what);
    MESSAGE("bridge: " << describe(bridge.wait(20s)));
    MESSAGE("publisher: " << describe(publisher.wait(20s)));
    receiver.signal(SIGTERM);
    MESSAGE("receiver: " << describe(receiver.wait(20s)));
    MESSAGE("source broker log:\n" << bridge_cuts_tail(from.log()));
    MESSAGE("destination broker log:\n" << bridge_cuts_tail(to.log()));
    REQUIRE(false);
  };
  const auto publish_round = [&] {
    if (!publisher.write_stdin(pub::numbered_lines(written + 1, written + per_round)))
      fail_with_outputs("the publisher did not take its stdin");
    written += per_round;
  };
  const auto all_so_far_arrive = [&](const std::string& stage) {
    arrivals.read_until_complete(receiver, written, 20s);
    if (!arrivals.complete(written))
      fail_with_outputs(stage + ": " + std::to_string(arrivals.distinct().size()) + " of " +
                        std::to_string(written) + " arrived");
  };

  publish_round();
  all_so_far_arrive("before any fault");

  for (BridgeCutsSide side :
       {BridgeCutsSide{"from", from_proxy, from, true},
        BridgeCutsSide{"to", to_proxy, to, fault_destination_while_writing}}) {
    for (int round = 1; round <= faults_per_side; ++round) {
      const std::string stage = std::string(side.name) + " fault " + std::to_string(round);
      CAPTURE(stage);
      const std::size_t cuts_before = side.proxy.counters().cuts;
      // Reconnected means the broker answered a new CONNECT: paho makes each reconnect of the
      // bridge take ~2 s (paho.mqtt.c#1430), and a round whose messages all crossed before the
      // fault would otherwise end while that reconnect is still under way.
      const std::string connack = "Sending CONNACK to " + bridge_id + "-" + side.name + " ";
      const std::size_t connacks_before = sub::count_of(side.broker.log(), connack);
      std::size_t connacks_expected = connacks_before + 1;
      if (round == 3 && side.while_writing) {
        // Armed before the round is published: the broker's first chunk back is cut in half.
        side.proxy.cut_mid_packet(FaultProxy::Direction::to_client);
        publish_round();
        if (!side.proxy.wait_for_cuts(cuts_before + 1, 15s)) fail_with_outputs(stage + ": no packet was cut");
      } else if (side.while_writing) {
        publish_round();
        // Part of the round delivered first, so the reset lands with messages in flight.
        if (auto line = receiver.read_line(10s)) arrivals.lines.push_back(std::move(*line));
        side.proxy.drop_all();
      } else {
        side.proxy.drop_all();
        if (round == 3) {
          // The reconnect's CONNACK is cut in half: that attempt fails, the next one succeeds.
          side.proxy.cut_mid_packet(FaultProxy::Direction::to_client);
          if (!side.proxy.wait_for_cuts(cuts_before + 1, 15s)) fail_with_outputs(stage + ": no packet was cut");
          ++connacks_expected;
        }
        // The round reaches the bridge while this side is down: held, then delivered.
        publish_round();
      }
      if (!sub::wait_for_log_count(side.broker, connack, connacks_expected))
        fail_with_outputs(stage + ": the bridge did not reconnect");
      // Everything so far arrived: the new connection carries traffic before the next fault.
      all_so_far_arrive(stage);
    }
  }
  publish_round();
  publisher.close_stdin();
  const ProcessResult published = publisher.wait(20s);
  INFO(describe(published));
  REQUIRE(published.exit_code == 0);
  all_so_far_arrive("after the last fault");

  check_all_arrived(arrivals, written);
  MESSAGE("duplicates at the destination: " << arrivals.lines.size() - arrivals.distinct().size());

  bridge.signal(SIGTERM);
  const ProcessResult stopped = bridge.wait(20s);
  INFO(describe(stopped));
  CHECK(stopped.exit_code == 0);
  CHECK_FALSE(contains(stopped.err, "terminate"));
  const auto lines = sub::lines_of(stopped.out);
  REQUIRE_FALSE(lines.empty());
  const nlohmann::json stats = nlohmann::json::parse(lines.back());
  MESSAGE("bridge final stats: " << stats.dump());
  CHECK(stats.at("final") == true);
  CHECK(stats.at("reconnects").at("from").get<int>() >= faults_per_side);
  CHECK(stats.at("reconnects").at("to").get<int>() >= faults_per_side);
  CHECK(stats.at("forwarded").at("from_to").get<int>() >= written);
  CHECK(from_proxy.counters().cuts == 1);
  CHECK(to_proxy.counters().cuts == 1);

  receiver.signal(SIGTERM);
  receiver.wait(20s);
}

}  // namespace

TEST_CASE("bridge -q 1 delivers every message across 5 faults on the source side, then 5 on the destination side") {
  bridge_cuts_scenario(false);
}

// A reset, or a cut PUBACK, of the destination connection while the bridge writes PUBLISHes to
// it. Through paho.mqtt.c 1.3.12 this failed 4 runs in 11 (mosquitto read a garbage packet
// length, then closed each reconnect "due to protocol error" right after paho's resends) and was
// skipped; mqtk's own engine, which plain TCP now uses, passes it.
TEST_CASE("bridge -q 1 across faults of the destination while it writes to it") {
  bridge_cuts_scenario(true);
}
