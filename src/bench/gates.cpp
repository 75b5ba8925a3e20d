#include "bench/gates.hpp"

#include <cstdio>

namespace mqtk::bench {
namespace {

// Up to 3 decimals, trailing zeros dropped: "12.3", "10", "0.125".
std::string trimmed(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.3f", value);
  std::string out = text;
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

}  // namespace

GateRate gate_rate(const BenchReport& report) {
  if (report.mode == "conn") {
    double per_s = report.connect_duration_s > 0
                       ? static_cast<double>(report.connected) / report.connect_duration_s
                       : 0.0;
    return {per_s, "conn/s"};
  }
  if (report.subscribed || report.mode == "sub")
    return {report.per_second(report.received), "received/s"};
  if (report.qos > 0) return {report.per_second(report.acked), "acked/s"};
  return {report.per_second(report.sent), "sent/s"};
}

std::vector<std::string> failed_gates(const BenchReport& report, const Gates& gates) {
  std::vector<std::string> failed;
  if (gates.max_p99_ms) {
    bool connect = report.mode == "conn";
    const LatencyHistogram& histogram = connect ? report.connect_us : report.latency_us;
    const char* what = connect ? "connect p99" : "p99";
    if (histogram.empty()) {
      failed.push_back(std::string("no ") + (connect ? "connection" : "latency") +
                       " samples to check --max-p99 " + trimmed(*gates.max_p99_ms) +
                       (connect ? "" : " against (only receivers measure latency)"));
    } else {
      double p99_ms = histogram.percentile(99) / 1000.0;
      if (p99_ms > *gates.max_p99_ms)
        failed.push_back(std::string(what) + " " + trimmed(p99_ms) + " ms > --max-p99 " +
                         trimmed(*gates.max_p99_ms));
    }
  }
  if (gates.max_loss && report.lost > *gates.max_loss)
    failed.push_back("lost " + std::to_string(report.lost) + " messages > --max-loss " +
                     std::to_string(*gates.max_loss));
  if (gates.min_rate) {
    GateRate rate = gate_rate(report);
    if (rate.per_s < *gates.min_rate)
      failed.push_back("rate " + trimmed(rate.per_s) + " " + rate.unit + " < --min-rate " +
                       trimmed(*gates.min_rate));
  }
  return failed;
}

}  // namespace mqtk::bench
