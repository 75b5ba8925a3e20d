#pragma once
// Text for people and plotting tools: the final summary table (for stderr), the one-line live
// status printed every second, and the CSV rows `--csv FILE` appends. Plain strings, no I/O:
// the command decides where they go (and whether to redraw the status line in place on a TTY).

#include <cstdint>
#include <optional>
#include <string>

#include "bench/histogram.hpp"
#include "bench/report.hpp"

namespace mqtk::bench {

// Cumulative counters since the start of the run, as the aggregator sees them each second.
struct LiveCounters {
  std::uint64_t sent = 0;
  std::uint64_t acked = 0;
  std::uint64_t received = 0;
  std::uint64_t errors = 0;
  std::uint64_t reconnects = 0;
};

// One second (or whatever interval the command ticks at) of a run.
struct LiveSnapshot {
  double elapsed_s = 0;   // since the run began, warmup included
  double interval_s = 0;  // length of the interval the rates are over
  bool warming_up = false;
  std::uint64_t clients = 0;
  std::uint64_t connected = 0;  // connected right now
  LiveCounters total;           // cumulative
  LiveCounters delta;           // within the interval
  double sent_per_s = 0;
  double acked_per_s = 0;
  double received_per_s = 0;
  // Latency of the messages received within the interval; nullopt when none arrived.
  std::optional<double> p50_ms;
  std::optional<double> p99_ms;
  std::optional<double> max_ms;
};

// `previous` and `now` are the cumulative counters at the start and end of the interval;
// `interval_latency` holds only the latencies recorded within it.
LiveSnapshot make_live_snapshot(double elapsed_s, double interval_s, bool warming_up,
                                std::uint64_t clients, std::uint64_t connected,
                                const LiveCounters& previous, const LiveCounters& now,
                                const LatencyHistogram& interval_latency);

// e.g. "  12s  conn     50/50  sent     5,000/s  acked     5,000/s  recv     5,000/s  p99     1.23 ms  err 0"
// (no newline; "warmup" in front while warming up; the parts a mode lacks are left out when
// zero). Fixed-width numbers so an in-place redraw does not jitter.
std::string format_live_status(const LiveSnapshot& snapshot);

// The final multi-line table, each line ending in '\n'.
std::string format_summary(const BenchReport& report);

// --csv: the header line and one row per snapshot, each ending in '\n'. Columns:
// elapsed_s,warmup,connected,sent,acked,received,errors,reconnects,sent_per_s,acked_per_s,
// received_per_s,p50_ms,p99_ms,max_ms (counts cumulative; empty latency cells when none).
std::string csv_header();
std::string csv_row(const LiveSnapshot& snapshot);

// Milliseconds from whole microseconds, for display and JSON.
inline double us_to_ms(double us) { return us / 1000.0; }

}  // namespace mqtk::bench
