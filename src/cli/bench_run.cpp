// Runs `mqtk bench conn|pub|sub`: pre-flight, workers, the phases (connect, publish/receive,
// drain), the live status every second, and the final report with its gates.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>
#include <unistd.h>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "bench/payload.hpp"
#include "bench/preflight.hpp"
#include "bench/report.hpp"
#include "bench/summary.hpp"
#include "cli/bench_gate_flags.hpp"
#include "cli/bench_plan.hpp"
#include "cli/command.hpp"

namespace mqtk::cli {
namespace {

using bench::Clock;
using Seconds = std::chrono::duration<double>;
constexpr auto kTick = std::chrono::milliseconds(20);

// The aggregator's view of all workers, once per tick.
struct Totals {
  bench::LiveCounters counters;
  std::uint64_t connected_now = 0;
  std::uint64_t ever_connected = 0;
  bool setup_done = true;
  bool publishing_done = true;
  std::int64_t setup_finished_ns = 0;
  std::int64_t first_receive_ns = 0;
  std::int64_t last_receive_ns = 0;
  std::int64_t last_ack_ns = 0;
};

Totals collect(const std::vector<std::unique_ptr<bench::Worker>>& workers) {
  Totals t;
  for (const auto& worker : workers) {
    bench::WorkerStats& s = worker->stats();
    t.counters.sent += s.sent.load(std::memory_order_relaxed);
    t.counters.acked += s.acked.load(std::memory_order_relaxed);
    t.counters.received += s.received.load(std::memory_order_relaxed);
    t.counters.errors += s.errors.load(std::memory_order_relaxed);
    t.counters.reconnects += s.reconnects.load(std::memory_order_relaxed);
    t.connected_now += s.connected_now.load(std::memory_order_relaxed);
    t.ever_connected += s.ever_connected.load(std::memory_order_relaxed);
    t.setup_done = t.setup_done && s.setup_done.load();
    t.publishing_done = t.publishing_done && s.publishing_done.load();
    t.setup_finished_ns = std::max(t.setup_finished_ns, s.setup_finished_ns.load());
    const std::int64_t first = s.first_receive_ns.load();
    if (first != 0 && (t.first_receive_ns == 0 || first < t.first_receive_ns)) t.first_receive_ns = first;
    t.last_receive_ns = std::max(t.last_receive_ns, s.last_receive_ns.load());
    t.last_ack_ns = std::max(t.last_ack_ns, s.last_ack_ns.load());
  }
  return t;
}

// The live status line (in place on a terminal) and the --csv rows.
class LiveOutput {
 public:
  // `connections` counts the measuring subscriber of `pub --subscribe` too; the line shows clients.
  LiveOutput(const BenchOptions& options, std::uint64_t connections)
      : clients_(options.clients),
        observers_(connections > options.clients ? connections - options.clients : 0),
        show_(spdlog::get_level() < spdlog::level::err), tty_(::isatty(2) == 1) {
    if (!options.csv_file) return;
    const bool fresh = !std::ifstream(*options.csv_file).good() || std::ifstream(*options.csv_file).peek() == EOF;
    csv_.open(*options.csv_file, std::ios::app);
    if (!csv_) throw UsageError("--csv: cannot open '" + *options.csv_file + "' for appending");
    if (fresh) csv_ << bench::csv_header() << std::flush;
  }

  void tick(double elapsed_s, bool warming_up, const Totals& totals,
            const std::vector<std::unique_ptr<bench::Worker>>& workers) {
    bench::LatencyHistogram interval;
    for (const auto& worker : workers) {
      const std::lock_guard lock(worker->stats().mutex);
      interval.merge(worker->stats().interval_latency);
      worker->stats().interval_latency.reset();
    }
    const bench::LiveSnapshot snapshot =
        bench::make_live_snapshot(elapsed_s, elapsed_s - last_elapsed_, warming_up, clients_,
                                  totals.connected_now > observers_ ? totals.connected_now - observers_ : 0,
                                  previous_, totals.counters, interval);
    previous_ = totals.counters;
    last_elapsed_ = elapsed_s;
    if (csv_.is_open()) csv_ << bench::csv_row(snapshot) << std::flush;
    if (!show_) return;
    const std::string line = bench::format_live_status(snapshot);
    if (tty_) std::fprintf(stderr, "\r%s\033[K", line.c_str());
    else std::fprintf(stderr, "%s\n", line.c_str());
    drawn_ = true;
  }

  void end() {
    if (show_ && tty_ && drawn_) std::fputc('\n', stderr);
  }

 private:
  std::uint64_t clients_;
  std::uint64_t observers_;
  bool show_;
  bool tty_;
  bool drawn_ = false;
  std::ofstream csv_;
  bench::LiveCounters previous_;
  double last_elapsed_ = 0;
};

// Resident memory of this process (VmRSS), for the memory cost per client.
std::uint64_t resident_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6));
  return 0;
}

std::string host_name() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

}  // namespace

ExitCode run_bench(const BenchOptions& options, CommandContext& context) {
  const ResolvedConnection resolved = resolve_client_options(options.connection, context.environment);
  BenchSetup setup = plan_bench(options, resolved);

  const bench::PreflightResult preflight = bench::run_preflight(setup.connections, setup.local_broker);
  for (const std::string& line : preflight.advice) spdlog::warn("{}", line);
  if (!preflight.blocking.empty()) {
    for (std::size_t i = 0; i + 1 < preflight.blocking.size(); ++i) spdlog::error("{}", preflight.blocking[i]);
    throw UsageError(preflight.blocking.back());
  }

  std::atomic<int> interrupted{0};
  const auto signal_registration = context.signals.on_signal([&interrupted](int signal) { interrupted = signal; });

  bench::RunControl control;
  control.began = Clock::now();
  const auto started_at = std::chrono::system_clock::now();
  LiveOutput live(options, setup.connections);  // may refuse --csv: before any thread starts
  const std::uint64_t rss_before = resident_kib();
  std::uint64_t rss_connected = 0;
  std::vector<std::unique_ptr<bench::Worker>> workers;
  for (bench::WorkerPlan& plan : setup.workers)
    workers.push_back(std::make_unique<bench::Worker>(std::move(plan), setup.session, control));
  spdlog::info("bench {}: {} clients on {} workers against {} (file limit {})", mode_name(options.mode),
               options.clients, workers.size(), setup.broker, preflight.file_limit);
  for (auto& worker : workers) worker->start();

  const auto warmup = std::chrono::duration_cast<Clock::duration>(Seconds(options.warmup_s));
  std::optional<Clock::time_point> measure_end;  // --duration's end, once measuring starts
  std::optional<Clock::time_point> stop_at;       // publishing stopped (pub) or the run ended
  std::optional<Clock::time_point> drain_until;
  bool duration_reached = false;
  bool drain_expired = false;
  Clock::time_point next_status = control.began + std::chrono::seconds(1);
  Totals totals;

  for (;;) {
    std::this_thread::sleep_for(kTick);
    const Clock::time_point now = Clock::now();
    totals = collect(workers);
    if (now >= next_status) {
      live.tick(Seconds(now - control.began).count(),
                control.publish && now < control.measure_from, totals, workers);
      next_status += std::chrono::seconds(1);
    }
    if (interrupted != 0) break;
    if (!control.publish) {
      if (!totals.setup_done) continue;
      if (totals.ever_connected == 0) break;
      rss_connected = resident_kib();
      control.publish_start = now;
      control.measure_from = now + warmup;
      control.measure_from_real_ns = bench::realtime_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(warmup).count();
      if (options.duration_s) {
        measure_end = control.measure_from + std::chrono::duration_cast<Clock::duration>(Seconds(*options.duration_s));
        control.publish_until = *measure_end;
      }
      control.publish.store(true, std::memory_order_release);
      if (options.mode == BenchMode::conn && !options.duration_s) break;
      continue;
    }
    if (measure_end && now >= *measure_end && !stop_at) {
      duration_reached = true;
      stop_at = now;
      control.stop_publishing = true;
      if (options.mode != BenchMode::pub) break;
    }
    if (options.mode == BenchMode::sub) {
      if (options.count && totals.counters.received >= *options.count) break;
      continue;
    }
    if (options.mode != BenchMode::pub) continue;
    if (!stop_at && totals.publishing_done) stop_at = now;
    if (!stop_at) continue;
    if (!drain_until) drain_until = now + std::chrono::duration_cast<Clock::duration>(Seconds(options.drain_s));
    const bool acks_in = totals.publishing_done;
    const bool all_received = !setup.receives || totals.counters.received >= totals.counters.sent;
    // QoS 0 may lose messages: once nothing has arrived for two seconds after publishing
    // stopped, nothing more will (a broker working off a backlog keeps delivering).
    const Clock::time_point last_arrival = control.began + std::chrono::nanoseconds(totals.last_receive_ns);
    const bool receiving_stopped =
        setup.receives && now - std::max(*stop_at, last_arrival) > std::chrono::seconds(2);
    if (acks_in && (all_received || receiving_stopped)) break;
    if (now >= *drain_until) {
      drain_expired = !acks_in || !all_received;
      break;
    }
  }
  control.stop_publishing = true;
  control.finish.store(true, std::memory_order_release);
  for (auto& worker : workers) worker->join();
  const Clock::time_point ended = Clock::now();
  totals = collect(workers);
  live.end();

  bench::BenchReport report;
  report.mode = mode_name(options.mode);
  report.label = options.label;
  report.host = host_name();
  report.broker = setup.broker;
  report.clients = options.clients;
  report.connected = totals.ever_connected - (setup.connections > options.clients && totals.ever_connected > 0 ? 1 : 0);
  report.qos = options.mode == BenchMode::conn ? 0 : options.qos;
  report.size = options.mode == BenchMode::conn ? 0 : options.size;
  report.start_number = options.start_number;
  report.subscribed = setup.receives;
  report.started_at = started_at;
  report.ended_at = std::chrono::system_clock::now();
  report.warmup_s = options.warmup_s;
  report.connect_duration_s = static_cast<double>(totals.setup_finished_ns) / 1e9;
  report.sent = totals.counters.sent;
  report.acked = totals.counters.acked;
  report.received = totals.counters.received;
  report.reconnects = totals.counters.reconnects;

  const auto since_measure = [&](std::int64_t ns) {
    return Seconds(control.began + std::chrono::nanoseconds(ns) - control.measure_from).count();
  };
  if (!control.publish) report.duration_s = 0;
  else if (duration_reached) report.duration_s = *options.duration_s;
  else if (options.mode == BenchMode::conn) report.duration_s = report.connect_duration_s;
  else if (options.mode == BenchMode::sub && totals.first_receive_ns != 0)
    report.duration_s = Seconds(std::chrono::nanoseconds(totals.last_receive_ns - totals.first_receive_ns)).count();
  else if (options.mode == BenchMode::pub) {
    const Clock::time_point end = stop_at.value_or(ended);
    double window = Seconds(end - control.measure_from).count();
    if (options.qos > 0) window = std::max(window, since_measure(totals.last_ack_ns));
    if (setup.receives) window = std::max(window, since_measure(totals.last_receive_ns));
    report.duration_s = std::max(window, 0.0);
  }

  std::unordered_map<std::uint64_t, std::uint64_t> published;
  for (const auto& worker : workers)
    for (const auto& [number, count] : worker->published_counts()) published[number] = count;
  std::string first_error;
  for (const auto& worker : workers) {
    report.connect_us.merge(worker->connect_times());
    report.latency_us.merge(worker->latency());
    for (std::size_t kind = 0; kind < worker->errors_by_kind().size(); ++kind)
      if (const std::uint64_t n = worker->errors_by_kind()[kind])
        report.errors[std::string(bench::to_string(static_cast<bench::ErrorKind>(kind)))] += n;
    if (first_error.empty()) first_error = worker->first_error();
    if (options.shared_group) continue;
    worker->finalize_sequences(options.mode == BenchMode::pub ? published
                                                              : std::unordered_map<std::uint64_t, std::uint64_t>{});
    for (const auto& [number, counts] : worker->sequence_counts()) {
      report.lost += counts.lost;
      report.duplicates += counts.duplicates;
      report.out_of_order += counts.out_of_order;
    }
  }
  if (options.shared_group && options.mode == BenchMode::pub && report.acked > report.received)
    report.lost = report.acked - report.received;

  if (spdlog::get_level() < spdlog::level::err) {
    std::fputs(bench::format_summary(report).c_str(), stderr);
    if (rss_connected > rss_before && totals.ever_connected > 0)
      std::fprintf(stderr, "client memory: %.1f MiB resident for %llu connections (%.1f KiB each)\n",
                   static_cast<double>(rss_connected - rss_before) / 1024.0,
                   static_cast<unsigned long long>(totals.ever_connected),
                   static_cast<double>(rss_connected - rss_before) / static_cast<double>(totals.ever_connected));
  }
  if (options.json) context.out.write(bench::to_json(report).dump() + "\n");
  const auto unacknowledged = report.errors.find("ack_timeout");
  const bool acks_missing = unacknowledged != report.errors.end() && interrupted == 0;
  if (acks_missing)
    spdlog::error("--drain {} s ended the run with {} publisher(s) still awaiting acknowledgements ({} of {} "
                  "messages unacknowledged): the broker or the network stopped answering",
                  options.drain_s, unacknowledged->second, report.sent - std::min(report.sent, report.acked),
                  report.sent);
  else if (drain_expired)
    spdlog::warn("--drain {} s ended the run with {} acknowledgements and {} messages still missing; "
                 "a longer --drain lets a backlogged broker deliver them",
                 options.drain_s, report.sent - std::min(report.sent, report.acked),
                 setup.receives ? report.sent - std::min(report.sent, report.received) : 0);

  if (interrupted != 0) return exit_code_for_signal(interrupted);
  if (totals.ever_connected == 0) throw ConnectError("no client could connect: " + first_error);
  if (const auto refused = report.errors.find("subscribe_refused"); refused != report.errors.end()) {
    spdlog::error("{} subscription(s) refused; first error: {}", refused->second, first_error);
    return ExitCode::runtime;
  }
  if (report.connected < options.clients) {
    spdlog::error("{} of {} clients could not connect; first error: {}", options.clients - report.connected,
                  options.clients, first_error);
    return ExitCode::runtime;
  }
  const bool gates_passed = report_gates(report, options.gates);
  if (acks_missing) return ExitCode::timeout;  // README "Exit status": QoS>0 acks missing at exit
  return gates_passed ? ExitCode::ok : ExitCode::runtime;
}

}  // namespace mqtk::cli
