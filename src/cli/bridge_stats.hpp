#pragma once
// The bridge's status line (--stats, on stderr) and its JSON Lines form (--json-stats, stdout).

#include <optional>
#include <string>

#include "core/bridge.hpp"

namespace mqtk::cli {

std::string format_bridge_stats(const BridgeStats& stats);
// `undelivered` is set on the final record at exit.
std::string format_bridge_stats_json(const BridgeStats& stats, std::optional<std::uint64_t> undelivered);

}  // namespace mqtk::cli
