// The work of `mqtk bridge`: resolve flags, start the core Bridge, report status until
// SIGINT/SIGTERM, then deliver what is held (bounded by --drain-timeout) and exit.

#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <spdlog/spdlog.h>

#include "cli/bridge_options.hpp"
#include "cli/bridge_stats.hpp"
#include "cli/command.hpp"
#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

void log_side_event(BridgeSide side, const ClientEvent& event) {
  const std::string_view name = to_string(side);
  switch (event.kind) {
    case ClientEventKind::connected: spdlog::warn("{}: reconnected ({})", name, event.detail); break;
    case ClientEventKind::connection_lost: spdlog::warn("{}: connection lost: {}", name, event.detail); break;
    case ClientEventKind::disconnected_by_broker: spdlog::warn("{}: the broker closed the connection: {}", name, event.detail); break;
    case ClientEventKind::reconnecting: spdlog::info("{}: reconnecting in {:.1f} s", name, static_cast<double>(event.delay.count()) / 1000.0); break;
    case ClientEventKind::reconnect_failed: spdlog::info("{}: reconnect failed: {}", name, event.detail); break;
    case ClientEventKind::resubscribed: spdlog::info("{}: {}", name, event.detail); break;
    case ClientEventKind::session_lost: spdlog::warn("{}: {}", name, event.detail); break;
    case ClientEventKind::publish_dropped: spdlog::error("{}: message dropped: {}", name, event.detail); break;
  }
}

[[noreturn]] void exit_now(ExitCode code) {
  // As finish_client: skip paho's slow destroy path; everything is already written.
  spdlog::default_logger()->flush();
  std::fflush(nullptr);
  std::_Exit(to_int(code));
}

}  // namespace

ExitCode run_bridge(const BridgeFlags& flags, CommandContext& context) {
  const BridgePlan plan = resolve_bridge(flags, context.environment);
  Bridge bridge(plan.bridge, log_side_event);

  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  bool started = false;
  // A signal during start() cancels the connects; afterwards it only ends the loop below.
  const auto signal_registration = context.signals.on_signal([&](int) {
    {
      std::lock_guard lock(mutex);
      stop = true;
      if (!started) bridge.cancel_start();
    }
    wake.notify_all();
  });
  spdlog::info("bridge {}: {} -> {}", plan.name, display_uri(plan.bridge.from.broker), display_uri(plan.bridge.to.broker));
  try {
    bridge.start();
  } catch (const ConnectError&) {
    // As app.cpp maps it, but without unwinding: destroying paho clients with a connect in
    // flight can hang (RELIABILITY P13).
    if (const int signal = context.signals.received())
      exit_now(exit_code_for_signal(signal));
    throw;
  }
  {
    std::lock_guard lock(mutex);
    started = true;
  }
  spdlog::info("bridge {} running", plan.name);

  auto report = [&](std::optional<std::uint64_t> undelivered) {
    const BridgeStats stats = bridge.stats();
    if (plan.json_stats) context.out.write(format_bridge_stats_json(stats, undelivered));
    else std::fprintf(stderr, "mqtk: bridge: %s\n", format_bridge_stats(stats).c_str());
  };
  const bool reporting = plan.stats_interval.count() > 0;
  auto next_report = Clock::now() + plan.stats_interval;
  std::optional<std::string> failure;
  {
    std::unique_lock lock(mutex);
    while (!stop) {
      const auto wait = reporting ? std::min(next_report, Clock::now() + milliseconds(200))
                                  : Clock::now() + milliseconds(200);
      wake.wait_until(lock, wait, [&] { return stop; });
      if (stop) break;
      if ((failure = bridge.failure())) break;
      if (reporting && Clock::now() >= next_report) {
        lock.unlock();
        report(std::nullopt);
        lock.lock();
        next_report += plan.stats_interval;
      }
    }
  }
  if (failure) spdlog::error("{}", *failure);
  else spdlog::info("stopping: delivering what is held (at most {} ms)", plan.drain_timeout.count());
  const std::uint64_t undelivered = bridge.shutdown(plan.drain_timeout);
  if (reporting) report(undelivered);
  if (undelivered > 0)
    spdlog::error("{} received message(s) not acknowledged by the destination before the drain timeout", undelivered);
  if (failure) exit_now(ExitCode::runtime);
  exit_now(undelivered > 0 ? ExitCode::timeout : ExitCode::ok);
}

}  // namespace mqtk::cli
