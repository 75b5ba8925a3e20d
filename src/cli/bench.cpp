#include <memory>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/bench_gate_flags.hpp"
#include "cli/bench_merge.hpp"
#include "cli/bench_options.hpp"
#include "cli/command.hpp"

namespace mqtk::cli {

ExitCode run_bench(const BenchOptions& options, CommandContext& context);

namespace {

void add_load_flags(CLI::App& app, BenchOptions& o) {
  const char* load = "Load";
  app.add_option("-c,--clients", o.clients, "Number of clients (default 10)")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1000000}))->group(load);
  app.add_option("-n,--start-number", o.start_number, "Sequence number of the first client (%i, client ids, publisher ids): give each host a disjoint range (default 0)")->group(load);
  auto* interval = app.add_option("-i,--interval", o.connect_interval_ms, "Milliseconds between connection starts (default: as fast as --connect-concurrency allows)")->check(CLI::NonNegativeNumber)->group(load);
  app.add_option("--connect-rate", o.connect_rate, "Connection starts per second, in total (instead of -i)")->check(CLI::PositiveNumber)->excludes(interval)->group(load);
  app.add_option("--connect-concurrency", o.connect_concurrency, "Connections being set up at once, per process (default 64, below mosquitto's listen backlog of 100)")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000}))->group(load);
  app.add_option("--workers", o.workers, "Threads, each owning a share of the clients (default: the number of cores)")->check(CLI::Range(1u, 256u))->group(load);
  app.add_option("--duration", o.duration_s, "Seconds to measure (after --warmup); default: until the limits are reached or SIGINT")->check(CLI::PositiveNumber)->group(load);
  app.add_option("--warmup", o.warmup_s, "Seconds at the start left out of every figure (default 0)")->check(CLI::NonNegativeNumber)->group(load);
  app.add_flag_function("--clean,!--no-clean", [&o](std::int64_t n) { o.clean = n > 0; }, "Clean session / clean start (default) or a persistent session")->group(load);
  app.add_option("--label", o.label, "Free text stored in the report (e.g. the broker version under test)")->group(load);
}

void add_message_flags(CLI::App& app, BenchOptions& o, BenchMode mode) {
  const char* messages = "Messages";
  app.add_option("-t,--topic", o.topic, mode == BenchMode::sub
      ? "Topic filter to subscribe to, %i and %c filled in per client as in bench pub (default bench/%i: client i subscribes bench/i)"
      : "Topic template: %i client sequence number, %c client id, %rand_N random 1..N per message (default bench/%i)")->group(messages);
  app.add_option("-q,--qos", o.qos, "QoS 0, 1 or 2 (default 0)")->check(CLI::Range(0, 2))->group(messages);
  app.add_option("--shared", o.shared_group, "Subscribe through $share/GROUP/ (no per-publisher loss check then: the group splits the streams)")->group(messages);
  app.add_option("--count", o.count, mode == BenchMode::sub ? "Stop after receiving N messages in total" : "Messages to publish in total, spread over the clients")->check(CLI::PositiveNumber)->group(messages);
  app.add_option("--drain", o.drain_s, "Seconds to wait at the end for acknowledgements and messages still on their way (default 5)")->check(CLI::NonNegativeNumber)->group(messages);
  if (mode != BenchMode::pub) return;
  auto* interval = app.add_option("-I,--publish-interval", o.publish_interval_ms, "Milliseconds between publishes of each client (emqtt-bench -I)")->check(CLI::PositiveNumber)->group(messages);
  app.add_option("--rate", o.rate, "Messages per second in total, spread over the clients, open loop (instead of -I); default: as fast as the window allows")->check(CLI::PositiveNumber)->excludes(interval)->group(messages);
  app.add_option("-s,--size", o.size, "Payload bytes, at least 32 (the bench header: publisher, sequence, send time; default 256)")->check(CLI::Range(std::uint64_t{32}, std::uint64_t{256} * 1024 * 1024))->group(messages);
  app.add_option("-L,--limit", o.limit, "Messages per client, as emqtt-bench -L (see --count for a total)")->check(CLI::PositiveNumber)->group(messages);
  app.add_option("--window", o.window, "QoS 1/2 publishes in flight per client (default 100; the broker's receive maximum caps it)")->check(CLI::Range(1, 65535))->group(messages);
  app.add_flag("--subscribe", o.subscribe, "Also run one subscriber on the topic filter: end-to-end latency, loss and order in one run")->group(messages);
}

void add_output_flags(CLI::App& app, BenchOptions& o) {
  const char* output = "Report";
  app.add_flag("--json", o.json, "Print the final report as one JSON object on stdout (for mqtk bench merge)")->group(output);
  app.add_option("--csv", o.csv_file, "Append one row per second to FILE (header when it is new)")->group(output);
  add_gate_flags(app, o.gates);
}

CLI::App* add_mode(CLI::App& bench, BenchMode mode, std::shared_ptr<BenchOptions>& options,
                   const char* name, const char* description) {
  options = std::make_shared<BenchOptions>();
  options->mode = mode;
  CLI::App* app = bench.add_subcommand(name, description);
  add_connection_flags(*app, options->connection, FlagSpelling{"", "ciIL", ""});
  // The shared flags the bench engine has no use for are taken out again, so --help shows only
  // what works (and using one is CLI11's "not expected" usage error).
  for (const char* name : {"--id", "--disable-clean-session", "--property", "--ws-header", "--proxy", "--will-topic",
                           "--will-payload", "--will-qos", "--will-retain", "--reconnect", "--reconnect-min", "--reconnect-max"})
    app->remove_option(app->get_option(name));
  add_load_flags(*app, *options);
  if (mode != BenchMode::conn) add_message_flags(*app, *options, mode);
  add_output_flags(*app, *options);
  return app;
}

}  // namespace

Command setup_bench(CLI::App& parent) {
  CLI::App* bench = parent.add_subcommand("bench", "Load-test a broker with many clients (emqtt-bench's flags): conn, pub, sub, merge");
  bench->require_subcommand(1);
  struct Mode {
    CLI::App* app;
    std::shared_ptr<BenchOptions> options;
  };
  auto modes = std::make_shared<std::vector<Mode>>(3);
  (*modes)[0].app = add_mode(*bench, BenchMode::conn, (*modes)[0].options, "conn",
                             "Open -c connections (and hold them for --duration): connection setup rate and time");
  (*modes)[1].app = add_mode(*bench, BenchMode::pub, (*modes)[1].options, "pub",
                             "Publish from -c clients at --rate or -I: throughput, acks, and with --subscribe end-to-end latency and loss");
  (*modes)[2].app = add_mode(*bench, BenchMode::sub, (*modes)[2].options, "sub",
                             "Subscribe -c clients and measure what arrives from bench publishers: rate, latency, loss, order");
  const Command merge = setup_bench_merge(*bench);
  return {bench, [modes, merge](CommandContext& context) {
            for (const Mode& mode : *modes)
              if (mode.app->parsed()) return run_bench(*mode.options, context);
            return merge.run(context);
          }};
}

}  // namespace mqtk::cli
