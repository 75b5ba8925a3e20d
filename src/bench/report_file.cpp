#include "bench/report_file.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace mqtk::bench {
namespace {

BenchReport parse_report(const nlohmann::ordered_json& json, const std::string& where) {
  try {
    return report_from_json(json);
  } catch (const ReportFormatError& e) {
    throw ReportFormatError(where + ": " + e.what());
  }
}

}  // namespace

std::vector<BenchReport> read_reports(std::istream& in, const std::string& source) {
  std::stringstream content;
  content << in.rdbuf();
  if (in.bad()) throw ReportFormatError(source + ": cannot read");
  const std::string text = content.str();

  auto whole = nlohmann::ordered_json::parse(text, nullptr, false);
  if (!whole.is_discarded()) return {parse_report(whole, source)};

  // Not one JSON document: a log stream with one compact report per line.
  std::vector<BenchReport> reports;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    auto start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] != '{') continue;
    auto json = nlohmann::ordered_json::parse(line, nullptr, false);
    std::string where = source + " line " + std::to_string(number);
    if (json.is_discarded()) throw ReportFormatError(where + ": not valid JSON");
    reports.push_back(parse_report(json, where));
  }
  if (reports.empty())
    throw ReportFormatError(source + ": no bench report in it (expected the JSON that " +
                            "`mqtk bench ... --json` prints)");
  return reports;
}

std::vector<BenchReport> read_report_file(const std::string& path) {
  if (path == "-") return read_reports(std::cin, "stdin");
  std::ifstream file(path, std::ios::binary);
  if (!file) throw ReportFormatError(path + ": cannot open");
  return read_reports(file, path);
}

}  // namespace mqtk::bench
