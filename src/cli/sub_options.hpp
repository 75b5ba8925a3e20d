#pragma once
// The raw flags of `mqtk sub`, filled by CLI11 (unset = std::nullopt).

#include <optional>
#include <string>
#include <vector>

#include "cli/connection_flags.hpp"
#include "cli/output/formatter.hpp"

namespace mqtk::cli {

struct SubOptions {
  ConnectionFlags connection;
  std::vector<std::string> topics;      // -t
  std::vector<std::string> filter_out;  // -T
  std::vector<std::string> unsubscribe; // -U
  int qos = 0;
  std::optional<long long> count;       // -C
  std::optional<double> timeout_s;      // -W
  bool no_stale_retained = false;       // -R
  bool exit_after_subscribe = false;    // -E
  OutputOptions output;                 // -v -N -F --json --pretty
  bool retained_only = false;
  bool remove_retained = false;
  bool no_local = false;                // --nl
  bool retain_as_published = false;     // --rap
  std::optional<int> retain_handling;
  std::optional<std::string> until;
  bool no_dedupe = false;
  std::string queue = "fifo";
  std::vector<std::string> priority;
  long long max_queued = 100000;
  std::string overflow = "block";
};

}  // namespace mqtk::cli
