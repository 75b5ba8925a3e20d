#include <algorithm>
#include <set>
#include <string>

#include "bench/report.hpp"

namespace mqtk::bench {
namespace {

// "a" when every part says "a"; "a,b" when they differ (empty ones left out).
std::string joined_distinct(const std::vector<BenchReport>& reports,
                            std::string BenchReport::*member) {
  std::vector<std::string> distinct;
  for (const BenchReport& report : reports) {
    const std::string& value = report.*member;
    if (!value.empty() && std::find(distinct.begin(), distinct.end(), value) == distinct.end())
      distinct.push_back(value);
  }
  std::string out;
  for (const std::string& value : distinct) out += (out.empty() ? "" : ",") + value;
  return out;
}

}  // namespace

BenchReport merge(const std::vector<BenchReport>& reports) {
  if (reports.empty()) throw ReportFormatError("no bench reports to merge");
  const BenchReport& first = reports.front();
  for (const BenchReport& report : reports) {
    if (report.mode != first.mode)
      throw ReportFormatError("cannot merge a \"" + report.mode + "\" report with a \"" +
                              first.mode + "\" report (mode differs)");
    if (report.qos != first.qos)
      throw ReportFormatError("cannot merge reports of QoS " + std::to_string(report.qos) +
                              " and QoS " + std::to_string(first.qos) + " (qos differs)");
    if (report.size != first.size)
      throw ReportFormatError("cannot merge reports of " + std::to_string(report.size) +
                              " B and " + std::to_string(first.size) +
                              " B payloads (size differs)");
  }

  BenchReport merged;
  merged.mode = first.mode;
  merged.qos = first.qos;
  merged.size = first.size;
  merged.label = joined_distinct(reports, &BenchReport::label);
  merged.host = joined_distinct(reports, &BenchReport::host);
  merged.broker = joined_distinct(reports, &BenchReport::broker);
  merged.parts = 0;
  merged.start_number = first.start_number;
  merged.started_at = first.started_at;
  merged.ended_at = first.ended_at;
  for (const BenchReport& report : reports) {
    merged.clients += report.clients;
    merged.connected += report.connected;
    merged.parts += report.parts;
    merged.subscribed = merged.subscribed || report.subscribed;
    merged.start_number = std::min(merged.start_number, report.start_number);
    merged.started_at = std::min(merged.started_at, report.started_at);
    merged.ended_at = std::max(merged.ended_at, report.ended_at);
    merged.duration_s = std::max(merged.duration_s, report.duration_s);
    merged.warmup_s = std::max(merged.warmup_s, report.warmup_s);
    merged.connect_duration_s = std::max(merged.connect_duration_s, report.connect_duration_s);
    merged.sent += report.sent;
    merged.acked += report.acked;
    merged.received += report.received;
    merged.lost += report.lost;
    merged.duplicates += report.duplicates;
    merged.out_of_order += report.out_of_order;
    merged.reconnects += report.reconnects;
    for (const auto& [kind, count] : report.errors) merged.errors[kind] += count;
    merged.connect_us.merge(report.connect_us);
    merged.latency_us.merge(report.latency_us);
  }
  return merged;
}

}  // namespace mqtk::bench
