// The JSON report: the issue's schema fields with their types and units, an exact round trip
// (histograms included), and a clear refusal of JSON that is not a bench report.

#include "bench/report.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

using mqtk::bench::BenchReport;
using mqtk::bench::ReportFormatError;
using mqtk::bench::report_from_json;
using mqtk::bench::to_json;
using Json = nlohmann::ordered_json;

namespace {

BenchReport sample_report() {
  BenchReport r;
  r.mode = "pub";
  r.label = "mosquitto 2.0.11";
  r.host = "bench-0";
  r.broker = "mqtt://127.0.0.1:1883";
  r.clients = 50;
  r.connected = 49;
  r.qos = 1;
  r.size = 64;
  r.start_number = 100;
  r.subscribed = true;
  r.started_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'764'158'400'123));
  r.ended_at = r.started_at + std::chrono::milliseconds(3'500);
  r.duration_s = 2.0;
  r.warmup_s = 1.0;
  r.connect_duration_s = 0.25;
  r.sent = 10'000;
  r.acked = 9'990;
  r.received = 9'980;
  r.lost = 10;
  r.duplicates = 2;
  r.out_of_order = 3;
  r.reconnects = 1;
  r.errors = {{"publish", 10}, {"connect_refused", 1}};
  for (std::uint64_t us = 100; us <= 100'000; us += 100) r.latency_us.record(us);
  for (std::uint64_t us = 1000; us < 50'000; us += 1000) r.connect_us.record(us);
  return r;
}

std::string report_refusal(const Json& json) {
  try {
    report_from_json(json);
  } catch (const ReportFormatError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("the JSON report carries the issue's fields, in ms and per second") {
  Json j = to_json(sample_report());
  CHECK(j["mode"] == "pub");
  CHECK(j["clients"] == 50);
  CHECK(j["qos"] == 1);
  CHECK(j["size"] == 64);
  CHECK(j["duration_s"] == 2.0);
  CHECK(j["sent"] == 10'000);
  CHECK(j["acked"] == 9'990);
  CHECK(j["received"] == 9'980);
  CHECK(j["errors"] == Json::parse(R"({"connect_refused":1,"publish":10})"));
  CHECK(j["errors_total"] == 11);
  CHECK(j["throughput"]["sent_per_s"] == 5000.0);
  CHECK(j["throughput"]["received_per_s"] == 4990.0);
  CHECK(j["throughput"]["connect_per_s"] == 196.0);
  // 1,000 samples 0.1 ms .. 100 ms: p50 is the 500th (50 ms), p99.9 the 999th (99.9 ms).
  const Json& latency = j["latency_ms"];
  CHECK(latency["count"] == 1000);
  CHECK(latency["p50"].get<double>() == doctest::Approx(50.0).epsilon(0.004));
  CHECK(latency["p90"].get<double>() == doctest::Approx(90.0).epsilon(0.004));
  CHECK(latency["p99"].get<double>() == doctest::Approx(99.0).epsilon(0.004));
  CHECK(latency["p999"].get<double>() == doctest::Approx(99.9).epsilon(0.004));
  CHECK(latency["max"] == 100.0);
  CHECK(latency["min"] == 0.1);
  CHECK(j["connect_ms"]["p50"].get<double>() == doctest::Approx(25.0).epsilon(0.004));
  CHECK(j["connect_ms"].contains("p99"));
  CHECK(j["started_at"] == "2025-11-26T12:00:00.123Z");
  CHECK(j["histograms"]["latency_us"]["count"] == 1000);
}

TEST_CASE("empty histograms give null percentiles (bench conn has no message latency)") {
  BenchReport r;
  r.mode = "conn";
  Json j = to_json(r);
  CHECK(j["latency_ms"]["count"] == 0);
  CHECK(j["latency_ms"]["p99"].is_null());
  CHECK(j["throughput"]["sent_per_s"] == 0.0);
  CHECK(report_from_json(j).latency_us.empty());
}

TEST_CASE("a report survives its JSON, through text") {
  BenchReport original = sample_report();
  BenchReport back = report_from_json(Json::parse(to_json(original).dump()));
  CHECK(back.mode == original.mode);
  CHECK(back.label == original.label);
  CHECK(back.host == original.host);
  CHECK(back.broker == original.broker);
  CHECK(back.clients == original.clients);
  CHECK(back.connected == original.connected);
  CHECK(back.qos == original.qos);
  CHECK(back.size == original.size);
  CHECK(back.start_number == original.start_number);
  CHECK(back.parts == original.parts);
  CHECK(back.subscribed == original.subscribed);
  CHECK(back.started_at == original.started_at);
  CHECK(back.ended_at == original.ended_at);
  CHECK(back.duration_s == original.duration_s);
  CHECK(back.warmup_s == original.warmup_s);
  CHECK(back.connect_duration_s == original.connect_duration_s);
  CHECK(back.sent == original.sent);
  CHECK(back.acked == original.acked);
  CHECK(back.received == original.received);
  CHECK(back.lost == original.lost);
  CHECK(back.duplicates == original.duplicates);
  CHECK(back.out_of_order == original.out_of_order);
  CHECK(back.reconnects == original.reconnects);
  CHECK(back.errors == original.errors);
  CHECK(back.latency_us == original.latency_us);
  CHECK(back.connect_us == original.connect_us);
  CHECK(to_json(back) == to_json(original));

  original.sent = UINT64_MAX;  // beyond int64: still a whole number
  CHECK(report_from_json(Json::parse(to_json(original).dump())).sent == UINT64_MAX);
}

TEST_CASE("JSON that is not a bench report is refused with the reason") {
  Json good = to_json(sample_report());
  CHECK(report_refusal(Json::parse(R"({"topic":"a","payload":1})")) ==
        "not an mqtk bench report (no \"mqtk_bench_report\" field)");
  CHECK(report_refusal(Json::array()) == "not an mqtk bench report (not a JSON object)");

  Json future = good;
  future["mqtk_bench_report"] = 2;
  CHECK(report_refusal(future).find("format 2 is not supported") != std::string::npos);

  Json no_sent = good;
  no_sent.erase("sent");
  CHECK(report_refusal(no_sent) == "bench report has no \"sent\"");

  Json text_sent = good;
  text_sent["sent"] = "many";
  CHECK(report_refusal(text_sent) == "bench report \"sent\" is not a whole number: \"many\"");

  Json bad_mode = good;
  bad_mode["mode"] = "flood";
  CHECK(report_refusal(bad_mode).find("\"mode\" is not conn, pub or sub") != std::string::npos);

  Json bad_time = good;
  bad_time["started_at"] = "yesterday";
  CHECK(report_refusal(bad_time).find("\"started_at\" is not a UTC time") != std::string::npos);

  Json bad_histogram = good;
  bad_histogram["histograms"]["latency_us"]["count"] = 1;
  CHECK(report_refusal(bad_histogram).find("histogram \"latency_us\"") != std::string::npos);
}
