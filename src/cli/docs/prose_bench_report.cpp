// Keep in step with src/bench/ (payload.hpp, sequence_tracker.hpp, histogram.hpp, report.hpp,
// gates.hpp) and the README section "mqtk bench: what it measures". Markup: see prose.hpp.

#include "cli/docs/prose_bench_report.hpp"

namespace mqtk::cli::docs {
namespace {

constexpr std::string_view measurement = R"(Every publisher writes a 32-byte header at the start of each payload, the rest being filler up
to `-s`: the magic `mqtb`, a version, the publisher id (its client sequence number), a
sequence number counting from 0 per publisher, and the intended send time as wall-clock
nanoseconds. Receivers (`bench sub`, `bench pub --subscribe`) derive from it:

* latency :: arrival time minus the intended send time. A publisher that falls behind its
  `--rate` schedule shows that delay as latency rather than hiding it. Publishers and
  receivers on different machines need synchronised clocks; a negative difference counts as 0.
* lost :: sequence numbers missing between the first and the highest received, per publisher,
  plus the never-seen tail when the run knows how many were sent. A late arrival fills its gap.
* duplicates, out of order :: per publisher; duplicates are recognised within the last 4,096
  sequence numbers. With `--shared` the streams are split over receivers and loss is only the
  total of acknowledged minus received messages.

Percentiles come from a log-linear histogram over microseconds (HdrHistogram style):
reported percentiles are within 0.4% of the exact sample value; count, minimum, maximum and
mean are exact. Everything counts only inside the measured window, after `--warmup`.)";

constexpr std::string_view json_report = R"(`--json` prints one JSON object on standard output when the run ends. Its fields: `mode`,
`label`, `host`, `broker`, `clients`, `connected`, `qos`, `size`, `start_number`, `parts`
(reports merged into it), `subscribed`, `started_at`, `ended_at`, `duration_s` (measured
window), `warmup_s`, `connect_duration_s`, `sent`, `acked`, `received`, `lost`, `duplicates`,
`out_of_order`, `reconnects`, `errors` (an object of counts by kind), `errors_total`,
`throughput` {`sent_per_s`, `acked_per_s`, `received_per_s`, `connect_per_s`}, `latency_ms`
{`count`, `min`, `mean`, `p50`, `p90`, `p99`, `p999`, `max`}, `connect_ms` {`count`, `min`,
`mean`, `p50`, `p90`, `p99`, `max`}, and `histograms` {`latency_us`, `connect_us`}: the raw
histograms that make reports mergeable. Percentiles are null when nothing was measured.

`--csv FILE` appends one row per second with the columns `elapsed_s`, `warmup`, `connected`,
`sent`, `acked`, `received`, `errors`, `reconnects` (cumulative), `sent_per_s`,
`acked_per_s`, `received_per_s`, `p50_ms`, `p99_ms`, `max_ms` (that second).)";

constexpr std::string_view merging = R"(Runs on several hosts that give each a disjoint `-n` range combine with `mqtk bench merge`:
counts are summed and histograms merged, so merged percentiles are those of all messages.
The merged `duration_s` is the longest of the parts, which assumes they ran at the same time.)";

constexpr std::string_view gates = R"(* --max-p99 MS :: fails when the latency p99 is above MS milliseconds (`bench conn`: the
  connection setup p99). A run that measured no latency fails it.
* --max-loss N :: fails when more than N messages were lost.
* --min-rate N :: fails below N per second: received messages when the run receives, else
  acknowledged (QoS 1 and 2) or sent (QoS 0) messages; connections in `bench conn`.

Each failed gate is reported on standard error in one line, such as
`mqtk: gate failed: p99 12.3 ms > --max-p99 10`, and the exit status is 1.)";

}  // namespace

std::vector<ProseSection> bench_report_sections() {
  return {{"MEASUREMENT", measurement},
          {"JSON REPORT", json_report},
          {"MERGING RUNS", merging},
          {"GATES", gates}};
}

CommandProse bench_merge_prose() {
  CommandProse prose;
  prose.description = R"(`mqtk bench merge` combines the `--json` reports of `mqtk bench` runs made at the same time on
several hosts or pods into one report: counts and errors are summed, latency and connection
histograms merged bucket by bucket (so the merged p99 is the p99 of every message, not an
average of p99s), `started_at` is the earliest start and `ended_at` the latest end, and the
measured window is the longest of the parts. It prints the summary table on standard output,
or with `--json` the merged report, which can itself be merged again.

Each FILE (`-` for standard input) holds one report, compact or pretty-printed, or is a log
with one report per line among other lines, as `kubectl logs` of bench pods shows: then the
lines starting with `{` are read and the others skipped. Reports of a different mode, QoS or
payload size are refused. The gates apply to the merged report.)";
  prose.sections = {{"GATES", gates}};
  prose.exit_notes = R"(Status 1 means a gate failed; status 2 that a file could not be read, was not a bench
report, or the reports do not go together.)";
  prose.examples = R"(Merge the reports of three hosts and fail when the merged p99 exceeds 20 ms:

    mqtk bench merge host1.json host2.json host3.json --max-p99 20

Merge the reports of a Kubernetes Indexed Job from its pods' logs:

    kubectl logs -l job-name=mqtk-bench --tail=-1 --max-log-requests=100 | mqtk bench merge -)";
  return prose;
}

}  // namespace mqtk::cli::docs
