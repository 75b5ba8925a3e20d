#pragma once
// The CI gate flags (--max-p99, --max-loss, --min-rate), declared once so `bench conn|pub|sub`
// and `bench merge` spell and document them the same way (bench/gates.hpp says what each
// compares). Failed gates: one line each on stderr, exit status 1.

#include <string>
#include <vector>

#include "bench/gates.hpp"

namespace CLI {
class App;
}

namespace mqtk::cli {

void add_gate_flags(CLI::App& app, bench::Gates& gates);

// Prints each failed gate on stderr ("mqtk: gate failed: p99 12.3 ms > --max-p99 10") and
// returns whether all passed.
bool report_gates(const bench::BenchReport& report, const bench::Gates& gates);

}  // namespace mqtk::cli
