// `mqtk bridge -t 'c/#' -q 1` between two brokers, each side through its own FaultProxy, while a
// publisher (straight to the source broker) sends numbered QoS 1 messages and a persistent
// receiver (straight to the destination broker) collects them: five faults on the source side,
// then five on the destination side (connections reset, and one packet cut in half per side).
// Every number arrives at least once; duplicates are reported, not failed (QoS 1 allows them);
// the final --json-stats record counts at least five reconnects per side; SIGTERM ends it with 0.

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
  // The direction in which that side carries the forwarded PUBLISHes.
  FaultProxy::Direction publishes;
};

}  // namespace

TEST_CASE("bridge -q 1 delivers every message across 5 faults on the source side, then 5 on the destination side") {
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

  for (BridgeCutsSide side : {BridgeCutsSide{"from", from_proxy, from, FaultProxy::Direction::to_broker},
                              BridgeCutsSide{"to", to_proxy, to, FaultProxy::Direction::to_client}}) {
    for (int round = 1; round <= faults_per_side; ++round) {
      const std::string stage = std::string(side.name) + " fault " + std::to_string(round);
      CAPTURE(stage);
      const std::size_t cuts_before = side.proxy.counters().cuts;
      // Reconnected means the broker answered a new CONNECT: paho makes each reconnect of the
      // bridge take ~2 s (paho.mqtt.c#1430), and a round whose messages all crossed before the
      // fault would otherwise end while that reconnect is still under way.
      const std::string connack = "Sending CONNACK to " + bridge_id + "-" + side.name + " ";
      const std::size_t connacks_before = sub::count_of(side.broker.log(), connack);
      if (round == 3) {
        // Armed before the round is published: the first forwarded PUBLISH is cut in half.
        side.proxy.cut_mid_packet(side.publishes);
        publish_round();
        if (!side.proxy.wait_for_cuts(cuts_before + 1, 15s)) fail_with_outputs(stage + ": no packet was cut");
      } else {
        publish_round();
        // Part of the round delivered first, so the reset lands with messages in flight.
        if (auto line = receiver.read_line(10s)) arrivals.lines.push_back(std::move(*line));
        side.proxy.drop_all();
      }
      if (!sub::wait_for_log_count(side.broker, connack, connacks_before + 1))
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
