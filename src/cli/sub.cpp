#include "cli/sub.hpp"

#include <memory>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/client_events.hpp"
#include "cli/output_flags.hpp"
#include "cli/sub_options.hpp"


namespace mqtk::cli {

ExitCode run_sub(const SubOptions& options, CommandContext& context);

Command setup_sub(CLI::App& parent) {
  auto o = std::make_shared<SubOptions>();
  CLI::App* app = parent.add_subcommand(
      "sub", "Subscribe to topic filters and print each message as it arrives (mosquitto_sub)");
  add_connection_flags(*app, o->connection);
  const char* sub = "Subscription";
  app->add_option("-t,--topic", o->topics, "Topic filter to subscribe to (repeatable)")->group(sub);
  app->add_option("-T,--filter-out", o->filter_out, "Do not print messages whose topic matches this filter (repeatable)")->group(sub);
  app->add_option("-U,--unsubscribe", o->unsubscribe, "Unsubscribe from this filter after subscribing (repeatable; for persistent sessions)")->group(sub);
  app->add_option("-q,--qos", o->qos, "QoS of the subscriptions (0, 1, 2; default 0)")->check(CLI::Range(0, 2))->group(sub);
  app->add_flag("--nl,--no-local", o->no_local, "v5: do not receive what this client publishes")->group(sub);
  app->add_flag("--rap,--retain-as-published", o->retain_as_published, "v5: keep the retain flag as published")->group(sub);
  app->add_option("--retain-handling", o->retain_handling, "v5: 0 send retained, 1 only for new subscriptions, 2 never")->check(CLI::Range(0, 2))->group(sub);
  app->add_flag("--no-dedupe", o->no_dedupe, "v5: print every copy when several -t filters match one message")->group(sub);

  const char* stop = "Stopping";
  app->add_option("-C,--count", o->count, "Exit after N messages")->group(stop);
  app->add_option("-W,--timeout", o->timeout_s, "Exit with status 4 if -C was not reached after SECONDS")->group(stop);
  app->add_flag("-E,--exit-after-subscribe", o->exit_after_subscribe, "Exit once subscribed (set up a persistent session)")->group(stop);
  app->add_option("--until", o->until, "Exit after the first message matching EXPR: 'topic:FILTER', '.path=VALUE', joined by &&")->group(stop);
  app->add_flag("--retained-only", o->retained_only, "Print only retained messages; exit at the first live one")->group(stop);

  const char* out = "Output";
  add_output_flags(*app, o->output);
  app->add_flag("-R,--no-retained", o->no_stale_retained, "Do not print stale retained messages")->group(out);
  app->add_flag("--remove-retained", o->remove_retained, "Clear each retained message received (publishes an empty retained message)")->group(out);

  const char* queue = "Queue";
  app->add_option("--queue", o->queue, "Order of queued messages: fifo, lifo or priority")->check(CLI::IsMember({"fifo", "lifo", "priority"}))->group(queue);
  app->add_option("--priority", o->priority, "With --queue priority: filters served first, in order (repeatable)")->group(queue);
  app->add_option("--max-queued", o->max_queued, "Messages held while the output is slow (0 = unbounded; default 100000)")->check(CLI::NonNegativeNumber)->group(queue);
  app->add_option("--overflow", o->overflow, "When the queue is full: block, drop-oldest or drop-newest")->check(CLI::IsMember({"block", "drop-oldest", "drop-newest", "drop-new"}))->group(queue);
  return {app, [o](CommandContext& context) { return run_sub(*o, context); }};
}

}  // namespace mqtk::cli
