#pragma once
// The final result of one `mqtk bench` run (or of several merged), and its JSON form: the one
// object `--json` prints and `mqtk bench merge` reads back.
//
// JSON (field names are the CLI contract; README "mqtk bench"):
//   {"mqtk_bench_report":1, "mode":"pub", "label":"", "host":"", "broker":"",
//    "clients":50, "connected":50, "qos":1, "size":64, "start_number":0, "parts":1,
//    "subscribed":true,
//    "started_at":"2026-11-26T12:00:00.000Z", "ended_at":"...",
//    "duration_s":2.0, "warmup_s":0.0, "connect_duration_s":0.1,
//    "sent":N, "acked":N, "received":N, "lost":0, "duplicates":0, "out_of_order":0,
//    "reconnects":0, "errors":{"kind":N,...}, "errors_total":N,
//    "throughput":{"sent_per_s":..,"acked_per_s":..,"received_per_s":..,"connect_per_s":..},
//    "latency_ms":{"count":N,"min":..,"mean":..,"p50":..,"p90":..,"p99":..,"p999":..,"max":..},
//    "connect_ms":{"count":N,"min":..,"mean":..,"p50":..,"p90":..,"p99":..,"max":..},
//    "histograms":{"latency_us":{...},"connect_us":{...}}}   (histogram_json.hpp)
// Percentiles are null when the histogram is empty (e.g. latency in `bench conn`).
// "mqtk_bench_report" is the format version; report_from_json refuses anything without it.

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "bench/histogram.hpp"

namespace mqtk::bench {

inline constexpr int kReportFormatVersion = 1;

struct BenchReport {
  std::string mode;    // "conn" | "pub" | "sub"
  std::string label;   // free text from the user (--label), e.g. the broker version under test
  std::string host;    // the machine the run was on (merged: comma-joined distinct hosts)
  std::string broker;  // the broker URL, without credentials
  std::uint64_t clients = 0;       // clients asked for (-c)
  std::uint64_t connected = 0;     // clients whose first connection succeeded
  int qos = 0;
  std::uint64_t size = 0;          // payload bytes (-s)
  std::uint64_t start_number = 0;  // -n: the first client sequence number of this run
  std::uint64_t parts = 1;         // how many runs this report is made of (merge adds them up)
  bool subscribed = false;         // the run received messages (sub, pub --subscribe)

  std::chrono::system_clock::time_point started_at{};  // run began (before warmup)
  std::chrono::system_clock::time_point ended_at{};
  double duration_s = 0;          // the measured window (after warmup); rates divide by it
  double warmup_s = 0;            // excluded from every count and histogram
  double connect_duration_s = 0;  // first connection attempt to last CONNACK

  // Messages inside the measured window.
  std::uint64_t sent = 0;      // publish calls that left the client
  std::uint64_t acked = 0;     // QoS>0: PUBACK/PUBCOMP received; QoS 0: equal to sent
  std::uint64_t received = 0;  // bench payloads received (duplicates excluded)
  std::uint64_t lost = 0;      // gaps in the per-publisher sequences (payload.hpp)
  std::uint64_t duplicates = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t reconnects = 0;
  std::map<std::string, std::uint64_t> errors;  // by kind, e.g. "connect_refused", "publish"

  LatencyHistogram connect_us;  // connection setup: connect() call to CONNACK
  LatencyHistogram latency_us;  // end to end: intended send time to arrival

  std::uint64_t errors_total() const noexcept;
  double per_second(std::uint64_t n) const noexcept;  // n / duration_s, 0 for no duration
};

// Thrown for a JSON value that is not a bench report (or a report of another format version);
// the message names the first problem, e.g. "not an mqtk bench report (no \"mqtk_bench_report\")".
class ReportFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

nlohmann::ordered_json to_json(const BenchReport& report);
BenchReport report_from_json(const nlohmann::ordered_json& json);

// Combines runs that happened at the same time (hosts or pods of one distributed run):
// counts, errors and parts are summed, histograms merged bucket by bucket (so percentiles are
// those of all samples, never averages of percentiles), started_at is the earliest and
// ended_at the latest. duration_s, warmup_s and connect_duration_s are the LONGEST of the parts
// (not the wall span: that would count clock skew between hosts and any gap between runs
// started one after another as idle time); rates are then totals over that window, which for
// concurrent parts equals the sum of their rates. start_number is the lowest, subscribed is
// true when any part received. mode, qos and size must agree (throws
// ReportFormatError naming the field), label and broker are kept when they agree or joined
// with ',' when they differ. An empty list throws.
BenchReport merge(const std::vector<BenchReport>& reports);

}  // namespace mqtk::bench
