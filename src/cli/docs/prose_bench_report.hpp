#pragma once
// Man page prose for the measuring and reporting side of `mqtk bench`: what the numbers mean,
// the JSON report, merging, CI gates, and the page of `mqtk bench merge`. The bench command's
// own prose (load flags, pacing, scale) takes bench_report_sections() after its sections.

#include <vector>

#include "cli/docs/prose.hpp"

namespace mqtk::cli::docs {

// "MEASUREMENT", "JSON REPORT", "MERGING RUNS", "GATES".
std::vector<ProseSection> bench_report_sections();

// The page of `mqtk bench merge`.
CommandProse bench_merge_prose();

}  // namespace mqtk::cli::docs
