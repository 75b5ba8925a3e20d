#include <memory>

#include <CLI/CLI.hpp>

#include "cli/bridge_options.hpp"
#include "cli/command.hpp"

namespace mqtk::cli {

ExitCode run_bridge(const BridgeFlags& flags, CommandContext& context);

namespace {

// --qos and --remap belong to the -t/--reverse before them (before any rule: to every rule),
// so the rules are rebuilt from the order CLI11 parsed the options in.
void collect_rules(const CLI::App& app, BridgeFlags& flags) {
  std::map<const CLI::Option*, std::size_t> taken;
  flags.rules.clear();
  for (const CLI::Option* option : app.parse_order()) {
    const std::size_t index = taken[option]++;
    const std::string& value = option->results().at(index);
    const std::string& name = option->get_name();
    if (name == "--topic" || name == "--reverse") {
      RuleFlags rule;
      rule.filter = value;
      rule.direction = name == "--topic" ? BridgeDirection::forward : BridgeDirection::reverse;
      flags.rules.push_back(std::move(rule));
    } else if (name == "--qos" || name == "--remap") {
      const bool qos = name == "--qos";
      if (flags.rules.empty()) {
        if (qos) flags.default_qos = std::stoi(value);
        else flags.default_remap = value;
      } else if (qos) {
        flags.rules.back().qos = std::stoi(value);
      } else {
        flags.rules.back().remap = value;
      }
    }
  }
}

}  // namespace

Command setup_bridge(CLI::App& parent) {
  auto o = std::make_shared<BridgeFlags>();
  CLI::App* app = parent.add_subcommand(
      "bridge", "Forward messages between two brokers, at least once, with topic remapping (one- or two-way)");
  const char* brokers = "Brokers";
  app->add_option("--from", o->from_url, "Source broker URL mqtt[s]://[user[:pass]@]host[:port] (or ws[s]://)")->group(brokers);
  app->add_option("--to", o->to_url, "Destination broker URL mqtt[s]://[user[:pass]@]host[:port] (or ws[s]://)")->group(brokers);
  app->add_option("--config", o->config_file, "JSON file with both sides and several rules (see the man page); flags override it")->group(brokers);
  app->add_option("--name", o->name, "Bridge name: client ids mqtk-bridge-NAME-from/-to and the origin marker (default: a hash of brokers and rules)")->group(brokers);
  o->from.default_version = o->to.default_version = ProtocolVersion::v5;  // --help shows it
  add_connection_flags(*app, o->from, FlagSpelling{"from-", "", "From "});
  add_connection_flags(*app, o->to, FlagSpelling{"to-", "", "To "});

  const char* rules = "Rules";
  // Bound to throwaway vectors: the values are read back in parse order by collect_rules().
  auto topics = std::make_shared<std::vector<std::string>>();
  auto reverse = std::make_shared<std::vector<std::string>>();
  auto qos = std::make_shared<std::vector<int>>();
  auto remaps = std::make_shared<std::vector<std::string>>();
  app->add_option("-t,--topic", *topics, "Forward messages matching FILTER from -> to (repeatable)")->group(rules);
  app->add_option("--reverse", *reverse, "Forward messages matching FILTER to -> from (repeatable): a two-way bridge")->group(rules);
  app->add_option("-q,--qos", *qos, "QoS of the rule before it (before any rule: of all rules; default 1)")->check(CLI::Range(0, 2))->group(rules);
  app->add_option("--remap", *remaps, "OLD=NEW: replace the topic prefix OLD by NEW, for the rule before it (before any rule: for all)")->group(rules);

  const char* flow = "Flow";
  app->add_option("--max-inflight", o->max_inflight, "Publishes awaiting the destination's acknowledgement at once (default 100; lowered to its receive maximum)")->group(flow);
  app->add_option("--max-queued", o->max_queued, "Messages held per direction before the bridge stops reading the source (default 10000)")->group(flow);
  app->add_option("--drain-timeout", o->drain_timeout_s, "On SIGINT/SIGTERM, seconds to deliver what is held (default 10)")->group(flow);

  const char* out = "Output";
  app->add_option("--stats", o->stats_interval_s, "Print a status line on stderr every SECONDS (and at exit)")->group(out);
  app->add_flag("--json-stats", o->json_stats, "Print the status as JSON Lines on stdout instead (every --stats SECONDS, default 10, and at exit)")->group(out);

  return {app, [o, app, topics, reverse, qos, remaps](CommandContext& context) {
            collect_rules(*app, *o);
            return run_bridge(*o, context);
          }};
}

}  // namespace mqtk::cli
