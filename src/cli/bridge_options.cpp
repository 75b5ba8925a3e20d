#include "cli/bridge_options.hpp"

#include <algorithm>
#include <cstdio>

#include <mqtk/error.hpp>
#include <mqtk/topic.hpp>

namespace mqtk::cli {
namespace {

// Stable across runs and builds (std::hash is not promised to be): the default bridge name,
// hence its client ids and persistent sessions, must be the same the next time it starts.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string hex8(std::uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%08llx", static_cast<unsigned long long>(value & 0xffffffffULL));
  return buffer;
}

void take_simple_url(std::optional<std::string>& simple, ConnectionFlags& side, const char* flag) {
  if (!simple) return;
  if (side.url || side.host || side.port)
    throw UsageError(std::string("--") + flag + " cannot be combined with --" + flag + "-url, --" +
                     flag + "-host or --" + flag + "-port");
  side.url = simple;
}

ClientOptions resolve_side(ConnectionFlags& f, const char* side, const std::string& name) {
  if (!f.url && !f.host)
    throw UsageError(std::string("mqtk bridge needs the ") +
                     (side[0] == 'f' ? "source broker: --from URL" : "destination broker: --to URL") +
                     " (or --" + side + "-host, or \"" + side + "\" in --config)");
  // Sessions survive the bridge's restarts and disconnects: persistent, with a fixed id.
  f.default_version = ProtocolVersion::v5;
  f.disable_clean_session = true;
  if (!f.id) f.id = "mqtk-bridge-" + name + "-" + side;
  // Two brokers, one environment: MQTK_HOST, MQTK_USERNAME ... cannot say which side they mean.
  const EnvironmentLookup none = [](const char*) { return std::optional<std::string>(); };
  ResolvedConnection resolved;
  try {
    resolved = resolve_client_options(f, none);
  } catch (const UsageError& e) {
    throw UsageError(std::string(side) + " side: " + e.what());
  }
  if (resolved.url_topic)
    throw UsageError(std::string("--") + side + " URL has a topic ('" + *resolved.url_topic +
                     "'): bridge topics are given with -t and --reverse");
  ClientOptions client = std::move(resolved.client);
  // Unlike the broker settings above, the engine means the same for both sides.
  client.engine = engine_from_environment(process_environment());
  client.reconnect.enabled = f.reconnect.value_or(true);
  return client;
}

}  // namespace

BridgePlan resolve_bridge(BridgeFlags f, const EnvironmentLookup&) {
  if (f.config_file) apply_bridge_config(f, *f.config_file);
  take_simple_url(f.from_url, f.from, "from");
  take_simple_url(f.to_url, f.to, "to");

  BridgePlan plan;
  BridgeOptions& b = plan.bridge;
  if (f.rules.empty())
    throw UsageError("mqtk bridge needs at least one rule: -t FILTER (from -> to) or --reverse FILTER (to -> from)");
  std::string identity;
  for (const RuleFlags& r : f.rules) {
    const char* flag = r.direction == BridgeDirection::forward ? "-t" : "--reverse";
    if (std::string problem = topic_filter_problem(r.filter); !problem.empty())
      throw UsageError(std::string(flag) + " '" + r.filter + "': " + problem);
    BridgeRule rule;
    rule.filter = r.filter;
    rule.direction = r.direction;
    rule.qos = r.qos.value_or(f.default_qos.value_or(1));
    if (rule.qos < 0 || rule.qos > 2)
      throw UsageError("--qos " + std::to_string(rule.qos) + " (for " + flag + " '" + r.filter + "'): expected 0, 1 or 2");
    if (auto remap = r.remap ? r.remap : f.default_remap) rule.remap = TopicRemap::parse(*remap);
    identity += std::string(flag) + ' ' + r.filter + ' ' + r.remap.value_or("") + '\n';
    b.rules.push_back(std::move(rule));
  }
  identity += f.from.url.value_or(f.from.host.value_or("")) + ':' + std::to_string(f.from.port.value_or(0)) + '\n';
  identity += f.to.url.value_or(f.to.host.value_or("")) + ':' + std::to_string(f.to.port.value_or(0));
  plan.name = f.name.value_or(hex8(fnv1a(identity)));
  if (plan.name.empty() || plan.name.find_first_of("/+#") != std::string::npos)
    throw UsageError("--name '" + plan.name + "': must be non-empty, without '/', '+' or '#'");

  b.from = resolve_side(f.from, "from", plan.name);
  b.to = resolve_side(f.to, "to", plan.name);

  const long long max_inflight = f.max_inflight.value_or(100);
  if (max_inflight < 1 || max_inflight > 65535) throw UsageError("--max-inflight must be 1..65535");
  const long long max_queued = f.max_queued.value_or(10000);
  if (max_queued < 1) throw UsageError("--max-queued must be 1 or more");
  b.max_queued = static_cast<std::size_t>(max_queued);
  for (ClientOptions* side : {&b.from, &b.to}) {
    side->max_inflight = static_cast<std::size_t>(max_inflight);
    // Room for everything the bridge holds, so a publish while the destination is away never
    // blocks before --max-queued closes the source.
    side->max_buffered_publishes = b.max_queued + side->max_inflight;
    side->incoming.capacity = 0;  // bounded by the bridge, which never blocks paho's thread
    // The receive maximum each side asks for is the core's (bridge.cpp: bridge_client).
  }

  bool two_way = false;
  for (const BridgeRule& rule : b.rules) two_way |= rule.direction != b.rules.front().direction;
  if (two_way) {
    if (b.from.version == ProtocolVersion::v5 && b.to.version == ProtocolVersion::v5) {
      b.origin_property = "mqtk-bridge";
      b.origin_value = plan.name;
    } else if (auto problem = echo_problem(b.rules)) {
      throw UsageError("a two-way bridge needs MQTT 5 on both sides (no-local) when its directions overlap: " +
                       *problem + "; use -V 5 on both sides or disjoint filters");
    }
  }

  if (f.stats_interval_s) {
    if (!(*f.stats_interval_s > 0) || *f.stats_interval_s > 86400)
      throw UsageError("--stats must be more than 0 and at most 86400 seconds");
    plan.stats_interval = std::chrono::milliseconds(static_cast<long long>(*f.stats_interval_s * 1000));
  } else if (f.json_stats) {
    plan.stats_interval = std::chrono::seconds(10);
  }
  plan.json_stats = f.json_stats;
  if (f.drain_timeout_s) {
    if (!(*f.drain_timeout_s >= 0) || *f.drain_timeout_s > 3600)
      throw UsageError("--drain-timeout must be 0..3600 seconds");
    plan.drain_timeout = std::chrono::milliseconds(static_cast<long long>(*f.drain_timeout_s * 1000));
  }
  return plan;
}

}  // namespace mqtk::cli
