#include "bench/report.hpp"

#include <cmath>
#include <ctime>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "bench/histogram_json.hpp"

namespace mqtk::bench {
namespace {

using Json = nlohmann::ordered_json;
using WallClock = std::chrono::system_clock;  // not "Clock": bench_connection.hpp has that name (unity builds)

// Divides last so that e.g. 0.1 ms is the double nearest 0.1, as a reader parsing "0.1" gets.
double rounded(double value, double scale) { return std::round(value * scale) / scale; }

std::string iso8601_utc(WallClock::time_point when) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

WallClock::time_point parse_iso8601_utc(const std::string& text, const char* field) {
  std::tm utc{};
  int millis = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &millis,
                  &consumed) != 7 ||
      static_cast<std::size_t>(consumed) != text.size())
    throw ReportFormatError(std::string("\"") + field + "\" is not a UTC time like " +
                            "2026-11-26T12:00:00.000Z: " + text);
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return WallClock::from_time_t(timegm(&utc)) + std::chrono::milliseconds(millis);
}

Json milliseconds(const LatencyHistogram& histogram, bool with_p999) {
  Json j;
  j["count"] = histogram.count();
  auto put = [&](const char* key, double us) {
    j[key] = histogram.empty() ? Json(nullptr) : Json(rounded(us / 1000.0, 1000));
  };
  put("min", static_cast<double>(histogram.min()));
  put("mean", histogram.mean());
  put("p50", histogram.percentile(50));
  put("p90", histogram.percentile(90));
  put("p99", histogram.percentile(99));
  if (with_p999) put("p999", histogram.percentile(99.9));
  put("max", static_cast<double>(histogram.max()));
  return j;
}

const Json& field(const Json& json, const char* key) {
  auto it = json.find(key);
  if (it == json.end()) throw ReportFormatError(std::string("bench report has no \"") + key + "\"");
  return *it;
}

std::uint64_t whole(const Json& json, const char* key) {
  const Json& value = field(json, key);
  // Parsed text gives unsigned numbers; a report built in memory may hold signed ones (qos).
  bool whole_number = value.is_number_unsigned() ||
                      (value.is_number_integer() && value.get<std::int64_t>() >= 0);
  if (!whole_number)
    throw ReportFormatError(std::string("bench report \"") + key + "\" is not a whole number: " +
                            value.dump());
  return value.get<std::uint64_t>();
}

double seconds(const Json& json, const char* key) {
  const Json& value = field(json, key);
  if (!value.is_number() || value.get<double>() < 0)
    throw ReportFormatError(std::string("bench report \"") + key +
                            "\" is not a non-negative number: " + value.dump());
  return value.get<double>();
}

std::string text(const Json& json, const char* key) {
  const Json& value = field(json, key);
  if (!value.is_string())
    throw ReportFormatError(std::string("bench report \"") + key + "\" is not a string: " +
                            value.dump());
  return value.get<std::string>();
}

LatencyHistogram histogram(const Json& histograms, const char* key) {
  try {
    return histogram_from_json(field(histograms, key));
  } catch (const std::invalid_argument& e) {
    throw ReportFormatError(std::string("bench report histogram \"") + key + "\": " + e.what());
  }
}

}  // namespace

std::uint64_t BenchReport::errors_total() const noexcept {
  std::uint64_t total = 0;
  for (const auto& [kind, count] : errors) total += count;
  return total;
}

double BenchReport::per_second(std::uint64_t n) const noexcept {
  return duration_s > 0 ? static_cast<double>(n) / duration_s : 0.0;
}

nlohmann::ordered_json to_json(const BenchReport& report) {
  Json j;
  j["mqtk_bench_report"] = kReportFormatVersion;
  j["mode"] = report.mode;
  j["label"] = report.label;
  j["host"] = report.host;
  j["broker"] = report.broker;
  j["clients"] = report.clients;
  j["connected"] = report.connected;
  j["qos"] = report.qos;
  j["size"] = report.size;
  j["start_number"] = report.start_number;
  j["parts"] = report.parts;
  j["subscribed"] = report.subscribed;
  j["started_at"] = iso8601_utc(report.started_at);
  j["ended_at"] = iso8601_utc(report.ended_at);
  j["duration_s"] = rounded(report.duration_s, 1000);
  j["warmup_s"] = rounded(report.warmup_s, 1000);
  j["connect_duration_s"] = rounded(report.connect_duration_s, 1000);
  j["sent"] = report.sent;
  j["acked"] = report.acked;
  j["received"] = report.received;
  j["lost"] = report.lost;
  j["duplicates"] = report.duplicates;
  j["out_of_order"] = report.out_of_order;
  j["reconnects"] = report.reconnects;
  j["errors"] = Json::object();
  for (const auto& [kind, count] : report.errors) j["errors"][kind] = count;
  j["errors_total"] = report.errors_total();
  Json& throughput = j["throughput"];
  throughput["sent_per_s"] = rounded(report.per_second(report.sent), 100);
  throughput["acked_per_s"] = rounded(report.per_second(report.acked), 100);
  throughput["received_per_s"] = rounded(report.per_second(report.received), 100);
  throughput["connect_per_s"] =
      report.connect_duration_s > 0
          ? rounded(static_cast<double>(report.connected) / report.connect_duration_s, 100)
          : 0.0;
  j["latency_ms"] = milliseconds(report.latency_us, true);
  j["connect_ms"] = milliseconds(report.connect_us, false);
  j["histograms"]["latency_us"] = histogram_to_json(report.latency_us);
  j["histograms"]["connect_us"] = histogram_to_json(report.connect_us);
  return j;
}

BenchReport report_from_json(const nlohmann::ordered_json& json) {
  if (!json.is_object()) throw ReportFormatError("not an mqtk bench report (not a JSON object)");
  auto version = json.find("mqtk_bench_report");
  if (version == json.end())
    throw ReportFormatError("not an mqtk bench report (no \"mqtk_bench_report\" field)");
  if (*version != kReportFormatVersion)
    throw ReportFormatError("mqtk bench report format " + version->dump() +
                            " is not supported (this mqtk reads format " +
                            std::to_string(kReportFormatVersion) + ")");
  BenchReport r;
  r.mode = text(json, "mode");
  if (r.mode != "conn" && r.mode != "pub" && r.mode != "sub")
    throw ReportFormatError("bench report \"mode\" is not conn, pub or sub: " + r.mode);
  r.label = json.contains("label") ? text(json, "label") : "";
  r.host = json.contains("host") ? text(json, "host") : "";
  r.broker = json.contains("broker") ? text(json, "broker") : "";
  r.clients = whole(json, "clients");
  r.connected = whole(json, "connected");
  std::uint64_t qos = whole(json, "qos");
  if (qos > 2) throw ReportFormatError("bench report \"qos\" is not 0, 1 or 2: " + std::to_string(qos));
  r.qos = static_cast<int>(qos);
  r.size = whole(json, "size");
  r.start_number = whole(json, "start_number");
  r.parts = whole(json, "parts");
  r.subscribed = json.value("subscribed", false);
  r.started_at = parse_iso8601_utc(text(json, "started_at"), "started_at");
  r.ended_at = parse_iso8601_utc(text(json, "ended_at"), "ended_at");
  r.duration_s = seconds(json, "duration_s");
  r.warmup_s = seconds(json, "warmup_s");
  r.connect_duration_s = seconds(json, "connect_duration_s");
  r.sent = whole(json, "sent");
  r.acked = whole(json, "acked");
  r.received = whole(json, "received");
  r.lost = whole(json, "lost");
  r.duplicates = whole(json, "duplicates");
  r.out_of_order = whole(json, "out_of_order");
  r.reconnects = whole(json, "reconnects");
  const Json& errors = field(json, "errors");
  if (!errors.is_object()) throw ReportFormatError("bench report \"errors\" is not an object");
  for (const auto& [kind, count] : errors.items()) r.errors[kind] = whole(errors, kind.c_str());
  const Json& histograms = field(json, "histograms");
  r.latency_us = histogram(histograms, "latency_us");
  r.connect_us = histogram(histograms, "connect_us");
  return r;
}

}  // namespace mqtk::bench
