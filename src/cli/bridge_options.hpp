#pragma once
// Raw input of `mqtk bridge` as parsed from the command line (and --config), and the one place
// that turns it into core BridgeOptions (defaults, the config file, cross-flag rules).

#include <optional>
#include <string>
#include <vector>

#include "cli/connection_flags.hpp"
#include "core/bridge.hpp"

namespace mqtk::cli {

// One -t/--reverse with the --qos/--remap that followed it, in command-line order.
struct RuleFlags {
  std::string filter;
  BridgeDirection direction = BridgeDirection::forward;
  std::optional<int> qos;
  std::optional<std::string> remap;
};

struct BridgeFlags {
  ConnectionFlags from;
  ConnectionFlags to;
  std::optional<std::string> from_url;  // --from URL
  std::optional<std::string> to_url;    // --to URL
  std::optional<std::string> config_file;
  std::vector<RuleFlags> rules;  // filled from the parse order (bridge.cpp)
  std::optional<int> default_qos;             // --qos before any rule
  std::optional<std::string> default_remap;   // --remap before any rule
  std::optional<std::string> name;
  std::optional<long long> max_inflight;
  std::optional<long long> max_queued;
  std::optional<double> stats_interval_s;
  bool json_stats = false;
  std::optional<double> drain_timeout_s;
};

struct BridgePlan {
  BridgeOptions bridge;
  std::string name;
  std::chrono::milliseconds stats_interval{0};  // 0: no periodic status
  bool json_stats = false;
  std::chrono::milliseconds drain_timeout{10000};
};

// Reads --config (when given), applies defaults; throws UsageError naming the flag or key.
BridgePlan resolve_bridge(BridgeFlags flags, const EnvironmentLookup& environment);

// Fills what the command line left unset from the JSON config file; rules from the file come
// before those on the command line. Throws UsageError naming the file and key.
void apply_bridge_config(BridgeFlags& flags, const std::string& path);

}  // namespace mqtk::cli
