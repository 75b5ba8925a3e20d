#pragma once
// `mqtk bench merge a.json b.json ... [--json]`: combines the --json reports of runs made at
// the same time on several hosts or pods (bench/report.hpp merge()) and prints the merged
// summary table on stdout, or with --json the merged report as one JSON object. The gates
// (--max-p99, --max-loss, --min-rate) apply to the merged report, so a distributed run can
// gate a CI pipeline too.
//
// Registered by the `bench` command: setup_bench_merge(*bench_app) returns the Command whose
// run() the bench command calls when `merge` was the parsed subcommand.

#include <string>
#include <vector>

#include "bench/gates.hpp"
#include "cli/command.hpp"

namespace mqtk::cli {

struct BenchMergeOptions {
  std::vector<std::string> files;  // "-" is stdin
  bool json = false;
  bench::Gates gates;
};

Command setup_bench_merge(CLI::App& bench_app);

// Reads, merges and prints; a file that cannot be read or is not a report, or reports that do
// not go together (mode, QoS or size differ), throw UsageError (exit 2); a failed gate is
// printed on stderr and returns ExitCode::runtime (1).
ExitCode run_bench_merge(const BenchMergeOptions& options, StdoutWriter& out);

}  // namespace mqtk::cli
