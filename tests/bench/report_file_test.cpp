// Reading reports back: one JSON document (compact or pretty), or a log stream where reports
// are lines among other output (kubectl logs of bench pods); clear errors otherwise.

#include "bench/report_file.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>

using mqtk::bench::BenchReport;
using mqtk::bench::read_report_file;
using mqtk::bench::read_reports;
using mqtk::bench::ReportFormatError;
using mqtk::bench::to_json;

namespace {

BenchReport report(std::uint64_t sent) {
  BenchReport r;
  r.mode = "pub";
  r.sent = sent;
  r.latency_us.record(sent);
  return r;
}

std::string file_refusal(const std::string& text) {
  std::istringstream in(text);
  try {
    read_reports(in, "x.json");
  } catch (const ReportFormatError& e) {
    return e.what();
  }
  return "(read)";
}

}  // namespace

TEST_CASE("a file with one report, compact or pretty") {
  for (int indent : {-1, 2}) {
    std::istringstream in(to_json(report(7)).dump(indent));
    auto reports = read_reports(in, "a.json");
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].sent == 7);
    CHECK(reports[0].latency_us.count() == 1);
  }
}

TEST_CASE("a log stream: every line starting with { is a report, other lines are skipped") {
  std::string log = "12s  conn 100/100  sent 5,000/s  err 0\n" + to_json(report(1)).dump() +
                    "\nmqtk: bench done\n  " + to_json(report(2)).dump() + "\n\n";
  std::istringstream in(log);
  auto reports = read_reports(in, "pods.log");
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].sent == 1);
  CHECK(reports[1].sent == 2);
}

TEST_CASE("files without reports are refused, naming the file and line") {
  CHECK(file_refusal("") == "x.json: no bench report in it (expected the JSON that `mqtk bench ... --json` prints)");
  CHECK(file_refusal("hello\n") .find("no bench report in it") != std::string::npos);
  CHECK(file_refusal(R"({"topic":"a"})") == "x.json: not an mqtk bench report (no \"mqtk_bench_report\" field)");
  CHECK(file_refusal("status line\n{\"mqtk_bench_report\":1, oops\n") == "x.json line 2: not valid JSON");
  CHECK(file_refusal("status\n" + to_json(report(1)).dump() + "\n{\"a\":1}\n")
            .starts_with("x.json line 3: not an mqtk bench report"));
  CHECK_THROWS_WITH_AS(read_report_file("/nonexistent/r.json"), "/nonexistent/r.json: cannot open",
                       ReportFormatError);
}
