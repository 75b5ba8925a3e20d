#include "cli/bridge_stats.hpp"

#include <nlohmann/json.hpp>

namespace mqtk::cli {

std::string format_bridge_stats(const BridgeStats& s) {
  return "forwarded " + std::to_string(s.forwarded[0]) + " from->to, " +
         std::to_string(s.forwarded[1]) + " to->from; in flight " + std::to_string(s.in_flight) +
         "; duplicates " + std::to_string(s.duplicates) + "; dropped " + std::to_string(s.dropped) +
         "; expired " + std::to_string(s.expired) + "; echoes stopped " + std::to_string(s.echoes) +
         "; source paused " + std::to_string(s.pauses) + "x; reconnects from " +
         std::to_string(s.reconnects[0]) + ", to " + std::to_string(s.reconnects[1]);
}

std::string format_bridge_stats_json(const BridgeStats& s, std::optional<std::uint64_t> undelivered) {
  nlohmann::ordered_json j;
  j["forwarded"] = {{"from_to", s.forwarded[0]}, {"to_from", s.forwarded[1]}};
  j["in_flight"] = s.in_flight;
  j["duplicates"] = s.duplicates;
  j["dropped"] = s.dropped;
  j["expired"] = s.expired;
  j["echoes"] = s.echoes;
  j["pauses"] = s.pauses;
  j["reconnects"] = {{"from", s.reconnects[0]}, {"to", s.reconnects[1]}};
  if (undelivered) {
    j["final"] = true;
    j["undelivered"] = *undelivered;
  }
  return j.dump() + "\n";
}

}  // namespace mqtk::cli
