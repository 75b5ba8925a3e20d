#include "cli/bench_gate_flags.hpp"

#include <cstdio>

#include <CLI/CLI.hpp>

namespace mqtk::cli {

void add_gate_flags(CLI::App& app, bench::Gates& gates) {
  const char* group = "Gates (exit status 1 when one fails)";
  app.add_option("--max-p99", gates.max_p99_ms,
                 "Fail when the latency p99 exceeds MS milliseconds (bench conn: the connection setup p99)")
      ->type_name("MS")->check(CLI::NonNegativeNumber)->group(group);
  app.add_option("--max-loss", gates.max_loss,
                 "Fail when more than N messages were lost (gaps in the publishers' sequence numbers)")
      ->type_name("N")->group(group);
  app.add_option("--min-rate", gates.min_rate,
                 "Fail below N per second: received/s when receiving, else acked/s (QoS>0) or sent/s; bench conn: connections/s")
      ->type_name("N")->check(CLI::NonNegativeNumber)->group(group);
}

bool report_gates(const bench::BenchReport& report, const bench::Gates& gates) {
  const std::vector<std::string> failed = bench::failed_gates(report, gates);
  for (const std::string& reason : failed) std::fprintf(stderr, "mqtk: gate failed: %s\n", reason.c_str());
  return failed.empty();
}

}  // namespace mqtk::cli
