#pragma once
// CI gates: `--max-p99 MS`, `--max-loss N`, `--min-rate N` checked against a finished report.
// The command prints each failed gate's reason on stderr and exits 1 (README "mqtk bench").
//
// What each gate compares (documented in --help and the man page):
//   --max-p99 MS   latency p99 in ms; in `bench conn` (no message latency) the connection
//                  setup p99. A run with no samples to check fails the gate: an unmeasured run
//                  must not pass a CI gate.
//   --max-loss N   the report's `lost` (messages missing from the per-publisher sequences,
//                  payload.hpp): a count, 0 means no loss allowed.
//   --min-rate N   messages per second of the measured window: received/s when the run
//                  receives (sub, pub --subscribe), else acked/s (QoS>0) or sent/s (QoS 0); in
//                  `bench conn`, connections per second of the connect phase.

#include <optional>
#include <string>
#include <vector>

#include "bench/report.hpp"

namespace mqtk::bench {

struct Gates {
  std::optional<double> max_p99_ms;
  std::optional<std::uint64_t> max_loss;
  std::optional<double> min_rate;

  bool any() const noexcept { return max_p99_ms || max_loss || min_rate; }
};

// The rate --min-rate compares, and its name for messages ("received/s", "conn/s" ...).
struct GateRate {
  double per_s = 0;
  std::string unit;
};
GateRate gate_rate(const BenchReport& report);

// One line per failed gate, e.g. "p99 12.3 ms > --max-p99 10"; empty when all pass.
std::vector<std::string> failed_gates(const BenchReport& report, const Gates& gates);

}  // namespace mqtk::bench
