#include "bench/summary.hpp"

#include <cmath>
#include <cstdio>

namespace mqtk::bench {
namespace {

// 1234567 -> "1,234,567"
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Rates are shown whole with thousands separators (a fraction of a message per second says
// nothing at these volumes), except below 10/s.
std::string rate_text(double per_s) {
  if (per_s < 10) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", per_s);
    return text;
  }
  return grouped(static_cast<std::uint64_t>(std::llround(per_s)));
}

std::string fixed(double value, int decimals) {
  // Round half away from zero first, as the JSON report does, so table and JSON agree.
  double scale = std::pow(10.0, decimals);
  value = std::round(value * scale) / scale;
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string padded_left(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string padded_right(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string latency_row(const char* name, const LatencyHistogram& h) {
  std::string row = padded_right(name, 12);
  if (h.empty()) return row + "no samples\n";
  for (double p : {50.0, 90.0, 99.0, 99.9}) row += padded_left(fixed(us_to_ms(h.percentile(p)), 3), 10);
  row += padded_left(fixed(us_to_ms(static_cast<double>(h.max())), 3), 10);
  row += padded_left(fixed(us_to_ms(h.mean()), 3), 10);
  row += padded_left(grouped(h.count()), 12);
  return row + "\n";
}

std::string optional_ms(const std::optional<double>& ms) { return ms ? fixed(*ms, 3) : ""; }

}  // namespace

LiveSnapshot make_live_snapshot(double elapsed_s, double interval_s, bool warming_up,
                                std::uint64_t clients, std::uint64_t connected,
                                const LiveCounters& previous, const LiveCounters& now,
                                const LatencyHistogram& interval_latency) {
  LiveSnapshot s;
  s.elapsed_s = elapsed_s;
  s.interval_s = interval_s;
  s.warming_up = warming_up;
  s.clients = clients;
  s.connected = connected;
  s.total = now;
  auto minus = [](std::uint64_t a, std::uint64_t b) { return a > b ? a - b : 0; };
  s.delta = {minus(now.sent, previous.sent), minus(now.acked, previous.acked),
             minus(now.received, previous.received), minus(now.errors, previous.errors),
             minus(now.reconnects, previous.reconnects)};
  auto rate = [&](std::uint64_t n) {
    return interval_s > 0 ? static_cast<double>(n) / interval_s : 0.0;
  };
  s.sent_per_s = rate(s.delta.sent);
  s.acked_per_s = rate(s.delta.acked);
  s.received_per_s = rate(s.delta.received);
  if (!interval_latency.empty()) {
    s.p50_ms = us_to_ms(interval_latency.percentile(50));
    s.p99_ms = us_to_ms(interval_latency.percentile(99));
    s.max_ms = us_to_ms(static_cast<double>(interval_latency.max()));
  }
  return s;
}

std::string format_live_status(const LiveSnapshot& s) {
  std::string line = s.warming_up ? "warmup " : "";
  line += padded_left(fixed(s.elapsed_s, 0) + "s", 5);
  line += "  conn " + padded_left(grouped(s.connected), 6) + "/" + grouped(s.clients);
  auto part = [&](const char* name, double per_s, std::uint64_t total) {
    if (total != 0) line += std::string("  ") + name + " " + padded_left(rate_text(per_s), 9) + "/s";
  };
  part("sent", s.sent_per_s, s.total.sent);
  part("acked", s.acked_per_s, s.total.acked);
  part("recv", s.received_per_s, s.total.received);
  if (s.p99_ms) line += "  p99 " + padded_left(fixed(*s.p99_ms, 2), 8) + " ms";
  line += "  err " + grouped(s.total.errors);
  if (s.total.reconnects != 0) line += "  reconn " + grouped(s.total.reconnects);
  return line;
}

std::string format_summary(const BenchReport& r) {
  std::string out = "mqtk bench " + r.mode + ": " + grouped(r.connected) + "/" +
                    grouped(r.clients) + " clients connected";
  if (r.mode != "conn") out += ", QoS " + std::to_string(r.qos) + ", " + grouped(r.size) + " B";
  out += ", " + fixed(r.duration_s, 3) + " s measured";
  if (r.warmup_s > 0) out += " after " + fixed(r.warmup_s, 3) + " s warmup";
  if (r.parts > 1) out += ", " + std::to_string(r.parts) + " reports merged";
  out += "\n";
  if (!r.label.empty()) out += "label " + r.label + "\n";

  out += '\n';  // on its own: GCC 12 -O2 warns falsely on "x" + std::string&& (PR105651)
  out += padded_right("", 14) + padded_left("count", 14) + padded_left("per second", 14) + "\n";
  auto count_row = [&](const char* name, std::uint64_t n, bool with_rate) {
    out += padded_right(name, 14) + padded_left(grouped(n), 14);
    if (with_rate) out += padded_left(rate_text(r.per_second(n)), 14);
    out += "\n";
  };
  if (r.mode != "conn") {
    count_row("sent", r.sent, true);
    count_row("acked", r.acked, true);
    if (r.subscribed || r.mode == "sub") {
      count_row("received", r.received, true);
      count_row("lost", r.lost, false);
      count_row("duplicates", r.duplicates, false);
      count_row("out of order", r.out_of_order, false);
    }
  }
  out += padded_right("connected", 14) + padded_left(grouped(r.connected), 14);
  if (r.connect_duration_s > 0)
    out += padded_left(rate_text(static_cast<double>(r.connected) / r.connect_duration_s), 14) +
           "  (over " + fixed(r.connect_duration_s, 3) + " s)";
  out += "\n";
  count_row("reconnects", r.reconnects, false);
  out += padded_right("errors", 14) + padded_left(grouped(r.errors_total()), 14);
  std::string kinds;
  for (const auto& [kind, count] : r.errors) kinds += (kinds.empty() ? "" : ", ") + kind + " " + grouped(count);
  if (!kinds.empty()) out += "  (" + kinds + ")";
  out += "\n\n";

  out += padded_right("ms", 12);
  for (const char* name : {"p50", "p90", "p99", "p99.9", "max", "mean"}) out += padded_left(name, 10);
  out += padded_left("samples", 12) + "\n";
  if (r.mode != "conn") out += latency_row("latency", r.latency_us);
  out += latency_row("connect", r.connect_us);
  return out;
}

std::string csv_header() {
  return "elapsed_s,warmup,connected,sent,acked,received,errors,reconnects,sent_per_s,"
         "acked_per_s,received_per_s,p50_ms,p99_ms,max_ms\n";
}

std::string csv_row(const LiveSnapshot& s) {
  return fixed(s.elapsed_s, 3) + "," + (s.warming_up ? "1" : "0") + "," +
         std::to_string(s.connected) + "," + std::to_string(s.total.sent) + "," +
         std::to_string(s.total.acked) + "," + std::to_string(s.total.received) + "," +
         std::to_string(s.total.errors) + "," + std::to_string(s.total.reconnects) + "," +
         fixed(s.sent_per_s, 1) + "," + fixed(s.acked_per_s, 1) + "," +
         fixed(s.received_per_s, 1) + "," + optional_ms(s.p50_ms) + "," +
         optional_ms(s.p99_ms) + "," + optional_ms(s.max_ms) + "\n";
}

}  // namespace mqtk::bench
