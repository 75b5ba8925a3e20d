// `bench merge`: its flags as registered on a bench command, and the merge itself run in
// process on report files (the `bench` parent command that makes it reachable from the binary
// is bench-engine's; once it is there, tests of the binary belong beside its other tests).

#include "cli/bench_merge.hpp"

#include <doctest/doctest.h>

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <nlohmann/json.hpp>

#include "bench/report.hpp"
#include <mqtk/error.hpp>
#include "support/process.hpp"

using mqtk::bench::BenchReport;
using mqtk::cli::BenchMergeOptions;
using mqtk::cli::ExitCode;
using mqtk::cli::run_bench_merge;
using mqtk::cli::StdoutWriter;
using mqtk::test::TempDir;
using Json = nlohmann::ordered_json;

namespace {

BenchReport host_report(std::uint64_t latency_us, std::uint64_t start_number) {
  BenchReport r;
  r.mode = "sub";
  r.clients = 10;
  r.connected = 10;
  r.qos = 1;
  r.size = 64;
  r.start_number = start_number;
  r.subscribed = true;
  r.duration_s = 2;
  r.received = 200;
  for (int i = 0; i < 200; ++i) r.latency_us.record(latency_us);
  return r;
}

struct MergeRun {
  ExitCode code = ExitCode::ok;
  std::string out;
};

MergeRun merge_files(const TempDir& dir, const BenchMergeOptions& options) {
  auto out_path = dir.path() / "stdout";
  mqtk::test::UniqueFd fd(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
  REQUIRE(fd.get() >= 0);
  StdoutWriter out(fd.get());
  MergeRun run;
  run.code = run_bench_merge(options, out);
  run.out = mqtk::test::read_file(out_path);
  return run;
}

}  // namespace

TEST_CASE("bench merge registers its files, --json and the gate flags") {
  CLI::App bench{"bench", "bench"};
  mqtk::cli::Command merge = mqtk::cli::setup_bench_merge(bench);
  REQUIRE(merge.app != nullptr);
  bench.parse("merge a.json b.json --json --max-p99 7.5 --max-loss 2 --min-rate 50", false);
  CHECK(merge.app->parsed());
  CHECK(merge.app->get_option("files")->as<std::vector<std::string>>() ==
        std::vector<std::string>{"a.json", "b.json"});
  CHECK(merge.app->get_option("--max-p99")->as<double>() == 7.5);
  CHECK(merge.app->get_option("--max-loss")->as<std::uint64_t>() == 2);
  CHECK(merge.app->get_option("--min-rate")->as<double>() == 50);
  CHECK(merge.app->get_option("--json")->as<bool>());

  CLI::App without_files{"bench", "bench"};
  mqtk::cli::setup_bench_merge(without_files);
  CHECK_THROWS_AS(without_files.parse("merge", false), CLI::RequiredError);
}

TEST_CASE("bench merge prints the merged report and applies the gates to it") {
  TempDir dir("mqtk-bench-merge");
  auto a = dir.write_file("a.json", to_json(host_report(1000, 0)).dump() + "\n");
  auto b = dir.write_file("b.json", "status line\n" + to_json(host_report(9000, 10)).dump() + "\n");

  BenchMergeOptions options;
  options.files = {a.string(), b.string()};
  options.json = true;
  MergeRun run = merge_files(dir, options);
  CHECK(run.code == ExitCode::ok);
  REQUIRE(run.out.ends_with("\n"));
  Json merged = Json::parse(run.out);
  CHECK(merged["received"] == 400);
  CHECK(merged["clients"] == 20);
  CHECK(merged["parts"] == 2);
  // 200 samples at 1 ms, 200 at 9 ms.
  CHECK(merged["latency_ms"]["p50"].get<double>() == doctest::Approx(1.0).epsilon(0.004));
  CHECK(merged["latency_ms"]["p90"].get<double>() == doctest::Approx(9.0).epsilon(0.004));
  CHECK(merged["throughput"]["received_per_s"] == 200.0);

  options.json = false;
  options.gates.max_p99_ms = 5;
  run = merge_files(dir, options);
  CHECK(run.code == ExitCode::runtime);
  CHECK(run.out.starts_with("mqtk bench sub: 20/20 clients connected, QoS 1, 64 B, 2.000 s measured, 2 reports merged\n"));
}

TEST_CASE("bench merge refuses what is not a set of matching reports as a usage error") {
  TempDir dir("mqtk-bench-merge");
  auto a = dir.write_file("a.json", to_json(host_report(1000, 0)).dump());
  BenchReport other = host_report(1000, 10);
  other.qos = 0;
  auto b = dir.write_file("b.json", to_json(other).dump());
  auto junk = dir.write_file("junk.json", "{\"topic\":\"x\"}");

  auto usage_error = [&](std::vector<std::string> files) {
    BenchMergeOptions options;
    options.files = std::move(files);
    try {
      merge_files(dir, options);
    } catch (const mqtk::Error& e) {
      CHECK(e.category() == mqtk::ErrorCategory::usage);
      return std::string(e.what());
    }
    return std::string("(merged)");
  };
  CHECK(usage_error({a.string(), b.string()}) == "cannot merge reports of QoS 0 and QoS 1 (qos differs)");
  CHECK(usage_error({junk.string()}) ==
        junk.string() + ": not an mqtk bench report (no \"mqtk_bench_report\" field)");
  CHECK(usage_error({(dir.path() / "missing.json").string()}).ends_with("missing.json: cannot open"));
}
