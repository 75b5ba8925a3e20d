#pragma once
// Shared by the `mqtk bridge` integration tests (tests/cli/bridge_*_test.cpp): two brokers, the
// built binary between them, readiness from the brokers' logs, and `mqtk sub --json` / `mqtk pub`
// as the clients at both ends (separate processes: one process with two paho clients pays
// paho.mqtt.c#1430's ~2 s per connect).

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/sub_harness.hpp"
#include "support/broker_fixture.hpp"
#include "support/process.hpp"

namespace mqtk::test::bridge {

using namespace std::chrono_literals;
using sub::joined;

// Reconnects in tenths of seconds, so broker restarts cost the test little time.
inline std::vector<std::string> fast_reconnect() {
  return {"--from-reconnect-min", "0.1", "--from-reconnect-max", "0.5",
          "--to-reconnect-min", "0.1", "--to-reconnect-max", "0.5"};
}

inline std::vector<std::string> bridge_argv(const BrokerFixture& from, const BrokerFixture& to,
                                            const std::string& name,
                                            const std::vector<std::string>& args) {
  return joined({mqtk_binary_path(), "bridge", "--from", from.url(), "--to", to.url(), "--name", name},
                joined(fast_reconnect(), args));
}

// Starts the bridge and waits until it has subscribed: `from_subacks` SUBACKs on `from` (one per
// -t rule under MQTT 5), `to_subacks` on `to` (one per --reverse rule).
inline ChildProcess start_bridge(const BrokerFixture& from, const BrokerFixture& to,
                                 const std::string& name, const std::vector<std::string>& args,
                                 std::size_t from_subacks, std::size_t to_subacks = 0,
                                 const ChildOptions& options = {}) {
  ChildProcess child(bridge_argv(from, to, name, args), options);
  const std::string id = "mqtk-bridge-" + name;
  const bool ready =
      sub::wait_for_log_count(from, sub::suback_line(id + "-from"), from_subacks) &&
      sub::wait_for_log_count(to, sub::suback_line(id + "-to"), to_subacks);
  if (!ready) {
    const ProcessResult early = child.wait(1s);
    FAIL("the bridge did not subscribe: " << describe(early));
  }
  return child;
}

// Reads JSON lines from `mqtk sub --json` until `done` says so or the deadline passes.
template <class Done>
std::vector<nlohmann::json> read_json_until(ChildProcess& receiver, Done done,
                                            std::chrono::milliseconds timeout = 10s) {
  std::vector<nlohmann::json> got;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done(got) && std::chrono::steady_clock::now() < deadline) {
    auto line = receiver.read_line(200ms);
    if (line) got.push_back(nlohmann::json::parse(*line));
  }
  return got;
}

// The last JSON Lines record of --json-stats output.
inline nlohmann::json last_stats(const std::string& out) {
  const auto lines = sub::lines_of(out);
  REQUIRE_MESSAGE(!lines.empty(), "no --json-stats output");
  return nlohmann::json::parse(lines.back());
}

}  // namespace mqtk::test::bridge
