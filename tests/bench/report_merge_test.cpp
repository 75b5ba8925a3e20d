// merge(): several reports (as written by separate hosts, through their JSON) combine into the
// report one process would have written: percentiles from merged histograms, equal to those of
// one histogram fed all the samples, never averages of percentiles.

#include "bench/report.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

using mqtk::bench::BenchReport;
using mqtk::bench::LatencyHistogram;
using mqtk::bench::merge;
using mqtk::bench::ReportFormatError;
using mqtk::bench::report_from_json;
using mqtk::bench::to_json;
using Json = nlohmann::ordered_json;

namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

BenchReport part(const std::string& host, std::uint64_t start_number, system_clock::time_point start,
                 double duration_s) {
  BenchReport r;
  r.mode = "pub";
  r.host = host;
  r.label = "upgrade-test";
  r.clients = 100;
  r.connected = 100;
  r.qos = 1;
  r.size = 64;
  r.start_number = start_number;
  r.started_at = start;
  r.ended_at = start + seconds(static_cast<long>(duration_s));
  r.duration_s = duration_s;
  r.connect_duration_s = 0.5;
  r.subscribed = true;
  return r;
}

std::string merge_refusal(const std::vector<BenchReport>& reports) {
  try {
    merge(reports);
  } catch (const ReportFormatError& e) {
    return e.what();
  }
  return "(merged)";
}

}  // namespace

TEST_CASE("merged percentiles equal those of one histogram fed all the samples") {
  const auto t0 = system_clock::time_point(seconds(1'764'158'400));
  std::vector<BenchReport> parts = {part("a", 0, t0, 10), part("b", 100, t0 + seconds(1), 12),
                                    part("c", 200, t0 - seconds(2), 10)};
  // Very different latency populations per host, so that averaging percentiles would be wrong.
  std::mt19937_64 random(5);
  LatencyHistogram everything;
  std::vector<double> mean_us = {800, 5000, 40'000};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::exponential_distribution<double> dist(1.0 / mean_us[i]);
    for (int k = 0; k < 20'000 * static_cast<int>(i + 1); ++k) {
      auto us = static_cast<std::uint64_t>(dist(random));
      parts[i].latency_us.record(us);
      everything.record(us);
    }
    parts[i].connect_us.record(1000 * (i + 1));
    parts[i].sent = 1000 * (i + 1);
    parts[i].acked = 1000 * (i + 1);
    parts[i].received = 1000 * (i + 1) - i;
    parts[i].lost = i;
    parts[i].errors["publish"] = i;
  }
  parts[2].errors["connect_timeout"] = 4;

  std::vector<BenchReport> from_files;
  for (const BenchReport& r : parts) from_files.push_back(report_from_json(Json::parse(to_json(r).dump())));
  BenchReport merged = merge(from_files);

  CHECK(merged.latency_us == everything);
  Json j = to_json(merged);
  BenchReport single;
  single.mode = "pub";
  single.latency_us = everything;
  Json single_latency = to_json(single)["latency_ms"];
  for (const char* p : {"p50", "p90", "p99", "p999", "max", "mean"}) {
    CAPTURE(p);
    CHECK(j["latency_ms"][p] == single_latency[p]);
  }
  CHECK(merged.clients == 300);
  CHECK(merged.connected == 300);
  CHECK(merged.parts == 3);
  CHECK(merged.start_number == 0);
  CHECK(merged.sent == 6000);
  CHECK(merged.received == 5997);
  CHECK(merged.lost == 3);
  CHECK(merged.errors == std::map<std::string, std::uint64_t>{{"connect_timeout", 4}, {"publish", 3}});
  CHECK(merged.connect_us.count() == 3);
  CHECK(merged.duration_s == 12);  // the longest part, not the wall span (14 s)
  CHECK(merged.started_at == t0 - seconds(2));
  CHECK(merged.ended_at == t0 + seconds(13));
  CHECK(j["throughput"]["sent_per_s"] == 500.0);
  CHECK(merged.host == "a,b,c");
  CHECK(merged.label == "upgrade-test");
  CHECK(merged.subscribed);

  // Merging merged reports is the same as merging all parts at once.
  BenchReport twice = merge({merge({from_files[0], from_files[1]}), from_files[2]});
  CHECK(to_json(twice) == to_json(merged));
}

TEST_CASE("reports of different kinds of run are not merged") {
  const auto t0 = system_clock::time_point(seconds(1'764'158'400));
  BenchReport a = part("a", 0, t0, 10);
  BenchReport b = a;
  b.qos = 0;
  CHECK(merge_refusal({a, b}) == "cannot merge reports of QoS 0 and QoS 1 (qos differs)");
  b = a;
  b.mode = "sub";
  CHECK(merge_refusal({a, b}) == "cannot merge a \"sub\" report with a \"pub\" report (mode differs)");
  b = a;
  b.size = 1024;
  CHECK(merge_refusal({a, b}).find("(size differs)") != std::string::npos);
  CHECK(merge_refusal({}) == "no bench reports to merge");
  CHECK(to_json(merge({a})) == to_json(a));
}
