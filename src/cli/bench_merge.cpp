#include "cli/bench_merge.hpp"

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench/report_file.hpp"
#include "bench/summary.hpp"
#include "cli/bench_gate_flags.hpp"
#include <mqtk/error.hpp>

namespace mqtk::cli {

ExitCode run_bench_merge(const BenchMergeOptions& o, StdoutWriter& out) {
  std::vector<bench::BenchReport> reports;
  bench::BenchReport merged;
  try {
    for (const std::string& file : o.files)
      for (bench::BenchReport& report : bench::read_report_file(file))
        reports.push_back(std::move(report));
    merged = bench::merge(reports);
  } catch (const bench::ReportFormatError& e) {
    throw UsageError(e.what());
  }
  out.write(o.json ? to_json(merged).dump() + "\n" : bench::format_summary(merged));
  return report_gates(merged, o.gates) ? ExitCode::ok : ExitCode::runtime;
}

Command setup_bench_merge(CLI::App& bench_app) {
  auto o = std::make_shared<BenchMergeOptions>();
  CLI::App* app = bench_app.add_subcommand(
      "merge", "Combine the --json reports of simultaneous runs (hosts, pods) into one");
  app->add_option("files", o->files,
                  "Reports written by mqtk bench --json, or logs with one report per line; - for stdin")
      ->required()->type_name("FILE");
  app->add_flag("--json", o->json, "Print the merged report as one JSON object instead of the summary table")
      ->group("Output");
  add_gate_flags(*app, o->gates);
  return {app, [o](CommandContext& context) { return run_bench_merge(*o, context.out); }};
}

}  // namespace mqtk::cli
