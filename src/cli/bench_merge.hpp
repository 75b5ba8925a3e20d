#pragma once
// `mqtk bench merge a.json b.json ... [--json]`: combines the --json reports of runs made at
// the same time on several hosts or pods (bench/report.hpp merge()) and prints the merged
// summary table on stdout, or with --json the merged report as one JSON object. The gates
// (--max-p99, --max-loss, --min-rate) apply to the merged report, so a distributed run can
// gate a CI pipeline too.
//
// Registered by the `bench` command: setup_bench_merge(*bench_app) returns the Command whose
// run() the bench command calls when `merge` was the parsed subcommand.

#include "cli/command.hpp"

namespace mqtk::cli {

Command setup_bench_merge(CLI::App& bench_app);

}  // namespace mqtk::cli
