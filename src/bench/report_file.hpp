#pragma once
// Reading bench reports back from files for `mqtk bench merge`. A file (or "-" for stdin) holds
// either one JSON report (compact or pretty-printed) or a log stream with one compact report
// per line among other lines, as `kubectl logs` of a bench pod shows its stdout and stderr
// interleaved: then every line starting with '{' is read as a report and the others skipped.

#include <istream>
#include <string>
#include <vector>

#include "bench/report.hpp"

namespace mqtk::bench {

// Throws ReportFormatError naming `source` and what is wrong (unreadable, not JSON, not a
// report, no report found in a log stream).
std::vector<BenchReport> read_reports(std::istream& in, const std::string& source);
std::vector<BenchReport> read_report_file(const std::string& path);  // "-" is stdin

}  // namespace mqtk::bench
