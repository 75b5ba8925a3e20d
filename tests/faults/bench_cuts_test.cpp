// `mqtk bench pub -c 5 -q 1 --rate 200 --duration 4 --subscribe --json` through a FaultProxy:
// every connection dropped twice while it publishes, or the network stalled for the rest of the
// run. Either way the command ends on its own soon after --duration, with a report that counts
// what happened (reconnects, errors by kind) and the exit status the README gives for it.

#include "faults/fault_harness.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <thread>
#include <vector>

using namespace mqtk::test;
using namespace mqtk::test::faults;

namespace {

constexpr int bench_cuts_clients = 5;
constexpr int bench_cuts_connections = bench_cuts_clients + 1;  // the --subscribe sink too
constexpr double bench_cuts_duration_s = 4;

ChildProcess start_bench_through(const FaultProxy& proxy, const std::vector<std::string>& extra) {
  return ChildProcess(joined(joined({mqtk_binary_path(), "bench", "pub"}, proxy_args(proxy)),
                             joined({"-c", std::to_string(bench_cuts_clients), "-q", "1", "--rate", "200",
                                     "--duration", "4", "--subscribe", "--json", "--id-prefix", sub::unique_id("bcuts")},
                                    extra)));
}

// Waits until `bytes` more went from the broker to the clients (PUBACKs and the sink's
// messages): the run is publishing on the connections accepted so far.
bool bench_cuts_wait_for_traffic(const FaultProxy& proxy, std::size_t bytes, std::chrono::milliseconds timeout) {
  const std::size_t target = proxy.counters().bytes_to_client + bytes;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (proxy.counters().bytes_to_client < target) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Waits for the bench to exit by itself: at most the time left of --duration plus the drain
// and some slack (a hang fails here instead of at ctest's timeout).
ProcessResult bench_cuts_wait_for_exit(const char* name, ChildProcess& bench,
                                       std::chrono::steady_clock::time_point started, double drain_s) {
  const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(bench_cuts_duration_s + drain_s + 8));
  ProcessResult result = bench.wait(limit);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  MESSAGE("the " << name << " run had ended " << took.count() << " ms after it started");
  REQUIRE_MESSAGE(result.term_signal == 0, "killed after " << limit.count() << " ms (a hang): " << describe(result));
  return result;
}

nlohmann::json bench_cuts_report(const ProcessResult& result) {
  INFO(describe(result));
  const auto lines = sub::lines_of(result.out);
  REQUIRE(lines.size() == 1);
  nlohmann::json report = nlohmann::json::parse(lines.front());
  MESSAGE("report: sent " << report.at("sent") << ", acked " << report.at("acked") << ", received "
                          << report.at("received") << ", lost " << report.at("lost") << ", reconnects "
                          << report.at("reconnects") << ", errors " << report.at("errors").dump());
  return report;
}

constexpr int bench_cuts_drops = 2;
constexpr double bench_cuts_stall_drain_s = 1;

void bench_cuts_check_drops(const ProcessResult& result) {
  INFO("the run with drops: " << describe(result));
  // README (bench): lost connections are reconnected and counted; only a client whose first
  // connection failed, or a failed gate, changes the exit status.
  CHECK(result.exit_code == 0);
  CHECK_FALSE(contains(result.err, "terminate"));
  const nlohmann::json report = bench_cuts_report(result);
  CHECK(report.at("connected") == bench_cuts_clients);
  CHECK(report.at("reconnects").get<int>() >= bench_cuts_drops * bench_cuts_connections);
  CHECK(report.at("errors").at("connection_lost").get<int>() >= bench_cuts_drops * bench_cuts_connections);
  CHECK(report.at("errors_total").get<int>() >= bench_cuts_drops * bench_cuts_connections);
  CHECK(report.at("sent").get<int>() > 0);
  CHECK(report.at("acked").get<int>() > 0);
  CHECK(report.at("received").get<int>() > 0);
  CHECK(report.at("acked").get<int>() <= report.at("sent").get<int>());
}

void bench_cuts_check_stall(const ProcessResult& result) {
  INFO("the stalled run: " << describe(result));
  // README "Exit status": 4 when QoS>0 acknowledgements were still missing at exit.
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "still awaiting acknowledgements"));
  CHECK_FALSE(contains(result.err, "terminate"));
  const nlohmann::json report = bench_cuts_report(result);
  CHECK(report.at("connected") == bench_cuts_clients);
  CHECK(report.at("acked").get<int>() < report.at("sent").get<int>());
  // Each publisher still waiting for acknowledgements when the drain ended is one error.
  CHECK(report.at("errors").at("ack_timeout").get<int>() >= 1);
  CHECK(report.at("errors").at("ack_timeout").get<int>() <= bench_cuts_clients);
  CHECK(report.at("errors_total").get<int>() >= 1);
}

}  // namespace

// Both runs side by side (each with its own broker and proxy), to keep within the test budget:
// a --duration 4 run cannot be shortened.
TEST_CASE("bench pub through 2 drops of every connection (exit 0), and through a stall to the end (exit 4)") {
  BrokerFixture drops_broker;
  FaultProxy drops_proxy(drops_broker.host(), drops_broker.port());
  BrokerFixture stall_broker;
  FaultProxy stall_proxy(stall_broker.host(), stall_broker.port());
  const auto started = std::chrono::steady_clock::now();
  ChildProcess with_drops = start_bench_through(drops_proxy, {});
  // --drain 1 instead of the default 5: the drain is the bound under test, not its length.
  ChildProcess stalled = start_bench_through(stall_proxy, {"--drain", "1"});

  REQUIRE_MESSAGE(stall_proxy.wait_for_accepted(bench_cuts_connections, 15s), describe(stalled.wait(1s)));
  REQUIRE_MESSAGE(bench_cuts_wait_for_traffic(stall_proxy, 2000, 15s), describe(stalled.wait(1s)));
  stall_proxy.stall(true);

  for (int drop = 1; drop <= bench_cuts_drops; ++drop) {
    CAPTURE(drop);
    REQUIRE_MESSAGE(drops_proxy.wait_for_accepted(static_cast<std::size_t>(drop * bench_cuts_connections), 15s),
                    describe(with_drops.wait(1s)));
    REQUIRE_MESSAGE(bench_cuts_wait_for_traffic(drops_proxy, 2000, 15s), describe(with_drops.wait(1s)));
    drops_proxy.drop_all();
  }
  REQUIRE_MESSAGE(
      drops_proxy.wait_for_accepted(static_cast<std::size_t>((bench_cuts_drops + 1) * bench_cuts_connections), 15s),
      describe(with_drops.wait(1s)));

  const ProcessResult stall_result = bench_cuts_wait_for_exit("stalled", stalled, started, bench_cuts_stall_drain_s);
  const ProcessResult drops_result = bench_cuts_wait_for_exit("dropped", with_drops, started, 5);
  bench_cuts_check_drops(drops_result);
  bench_cuts_check_stall(stall_result);
}

// Idle connections through a network that stalls after they connected: bench's own keepalive
// (the same 1.5x limit as the core's, core/liveness_watch.hpp) gives them up and counts a lost
// connection each, where it used to wait for the broker forever. A second run beside it, idle
// through a healthy proxy for two keepalives, keeps every connection (its PINGREQs answered).
TEST_CASE("bench conn -k 5 gives up stalled connections and keeps healthy idle ones") {
  BrokerFixture broker;
  FaultProxy stall_proxy(broker.host(), broker.port());
  FaultProxy healthy_proxy(broker.host(), broker.port());
  const auto bench_conn = [](const FaultProxy& proxy) {
    return ChildProcess(joined(joined({mqtk_binary_path(), "bench", "conn"}, proxy_args(proxy)),
                               {"-c", "3", "-k", "5", "--duration", "11", "--json", "--id-prefix",
                                sub::unique_id("bstall")}));
  };
  ChildProcess stalled = bench_conn(stall_proxy);
  ChildProcess healthy = bench_conn(healthy_proxy);
  REQUIRE_MESSAGE(stall_proxy.wait_for_accepted(3, 15s), describe(stalled.wait(1s)));
  // The three CONNACKs (4 bytes each) went through: every connection is up, then it stalls.
  const auto connacks_deadline = std::chrono::steady_clock::now() + 15s;
  while (stall_proxy.counters().bytes_to_client < 3 * 4 && std::chrono::steady_clock::now() < connacks_deadline)
    std::this_thread::sleep_for(10ms);
  REQUIRE_MESSAGE(stall_proxy.counters().bytes_to_client >= 3 * 4, describe(stalled.wait(1s)));
  stall_proxy.stall(true);

  const ProcessResult stall_result = stalled.wait(30s);
  const ProcessResult healthy_result = healthy.wait(30s);
  INFO("stalled: " << describe(stall_result));
  INFO("healthy: " << describe(healthy_result));
  CHECK(stall_result.exit_code == 0);  // README (bench): lost connections are counted, not fatal
  const nlohmann::json stall_report = bench_cuts_report(stall_result);
  CHECK(stall_report.at("errors").at("connection_lost").get<int>() >= 3);
  CHECK(healthy_result.exit_code == 0);
  const nlohmann::json healthy_report = bench_cuts_report(healthy_result);
  CHECK(healthy_report.at("errors_total").get<int>() == 0);
  CHECK(healthy_report.at("reconnects").get<int>() == 0);
}
