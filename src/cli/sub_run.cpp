// The work of `mqtk sub`: resolve flags, connect, subscribe, then print from the client's queue
// until a stop condition (-C, -W, -E, --until, --retained-only, a signal, a closed stdout).

#include <algorithm>
#include <chrono>
#include <csignal>
#include <optional>

#include <spdlog/spdlog.h>

#include "cli/client_events.hpp"
#include "cli/command.hpp"
#include "cli/output_flags.hpp"
#include "cli/sub_options.hpp"
#include "cli/until_condition.hpp"
#include <mqtk/client.hpp>
#include <mqtk/error.hpp>
#include <mqtk/topic.hpp>

namespace mqtk::cli {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

void check_filter(const char* flag, const std::string& filter) {
  if (std::string problem = topic_filter_problem(filter); !problem.empty())
    throw UsageError(std::string(flag) + " " + quote_for_message(filter) + ": " + problem);
}

// With several overlapping filters an MQTT 5 broker sends one copy per matching subscription,
// each tagged with that subscription's identifier (filter i has identifier i+1). A copy is
// printed only when it came through the first filter that matches its topic.
class Deduplicator {
 public:
  Deduplicator(const std::vector<std::string>& filters, bool enabled) : enabled_(enabled) {
    if (enabled)
      for (const auto& f : filters) filters_.emplace_back(f);
  }
  bool is_duplicate(const Message& message) const {
    if (!enabled_ || message.properties.subscription_identifiers.empty()) return false;
    const std::uint32_t via = message.properties.subscription_identifiers.front();
    for (std::size_t i = 0; i < filters_.size(); ++i)
      if (filters_[i].matches(message.topic))
        return i + 1 != via;
    return false;
  }

 private:
  std::vector<TopicFilter> filters_;  // parsed once, matched per message
  bool enabled_;
};

struct SubPlan {
  ResolvedConnection connection;
  std::vector<std::string> filters;
  std::optional<UntilCondition> until;
  std::optional<milliseconds> timeout;
  bool dedupe = false;
};

SubPlan plan(const SubOptions& o, const EnvironmentLookup& environment) {
  SubPlan p;
  p.connection = resolve_client_options(o.connection, environment);
  ClientOptions& client = p.connection.client;
  p.filters = o.topics;
  if (p.connection.url_topic) p.filters.push_back(*p.connection.url_topic);
  // Fix: a repeated -t is one subscription at the broker (the later SUBSCRIBE replaces the
  // earlier one and its identifier), so with -V 5 the deduplicator dropped every message on it.
  std::vector<std::string> unique;
  for (const auto& f : p.filters)
    if (std::find(unique.begin(), unique.end(), f) == unique.end()) unique.push_back(f);
  p.filters = std::move(unique);
  if (p.filters.empty() && o.unsubscribe.empty())
    throw UsageError("mqtk sub needs at least one topic filter (-t)");
  for (const auto& f : p.filters) check_filter("-t", f);
  for (const auto& f : o.filter_out) check_filter("-T", f);
  for (const auto& f : o.unsubscribe) check_filter("-U", f);
  if (o.count && *o.count < 1) throw UsageError("-C/--count must be 1 or more");
  if (o.timeout_s) {
    if (!(*o.timeout_s > 0) || *o.timeout_s > 31536000)
      throw UsageError("-W/--timeout must be more than 0 seconds");
    p.timeout = milliseconds(static_cast<long long>(*o.timeout_s * 1000));
  }
  if (o.until) p.until = UntilCondition::parse(*o.until);
  if (o.retained_only && o.no_stale_retained)
    throw UsageError("--retained-only and -R/--no-retained exclude each other");
  const bool v5 = client.version == ProtocolVersion::v5;
  if ((o.no_local || o.retain_as_published || o.retain_handling) && !v5)
    throw UsageError("--nl, --rap and --retain-handling need MQTT 5 (-V 5)");

  client.incoming.order = parse_queue_order(o.queue);
  client.incoming.priority_filters = o.priority;
  client.incoming.capacity = static_cast<std::size_t>(o.max_queued);
  client.incoming.overflow = parse_overflow_policy(o.overflow);
  if (!o.priority.empty() && client.incoming.order != QueueOrder::priority)
    throw UsageError("--priority needs --queue priority");

  const bool bounded = o.count || o.timeout_s || o.exit_after_subscribe || o.retained_only;
  if (!o.connection.reconnect) client.reconnect.enabled = !bounded;
  // With -C at QoS>0 a message is acknowledged only once printed, so one that will not be
  // printed stays the broker's (mosquitto #2134); and under MQTT 5 the broker may not have more
  // unacknowledged messages out than we will print. (Through paho, over TLS, websockets or a
  // proxy, messages are acknowledged on receipt: only the MQTT 5 bound applies there.)
  client.manual_acks = o.count && o.qos > 0;
  if (v5 && o.count && o.qos > 0 && !client.connect_properties.receive_maximum)
    client.connect_properties.receive_maximum =
        static_cast<std::uint16_t>(std::min<long long>(*o.count, 65535));
  p.dedupe = v5 && p.filters.size() > 1 && !o.no_dedupe &&
             !p.connection.properties.subscribe.subscription_identifier;
  return p;
}

void subscribe_all(Client& client, const SubOptions& o, const SubPlan& p,
                   milliseconds timeout) {
  std::vector<std::future<SubscribeResult>> pending;
  auto make = [&](const std::string& filter) {
    Subscription s{filter, {}};
    s.options.qos = o.qos;
    s.options.no_local = o.no_local;
    s.options.retain_as_published = o.retain_as_published;
    s.options.retain_handling = o.retain_handling.value_or(0);
    s.options.subscription_identifier = p.connection.properties.subscribe.subscription_identifier;
    s.options.user_properties = p.connection.properties.subscribe.user_properties;
    return s;
  };
  if (p.dedupe) {
    for (std::size_t i = 0; i < p.filters.size(); ++i) {
      Subscription s = make(p.filters[i]);
      s.options.subscription_identifier = static_cast<std::uint32_t>(i + 1);
      pending.push_back(client.subscribe({s}));
    }
  } else if (!p.filters.empty()) {
    std::vector<Subscription> all;
    for (const auto& f : p.filters) all.push_back(make(f));
    pending.push_back(client.subscribe(all));
  }
  for (auto& done : pending) {
    if (done.wait_for(timeout) != std::future_status::ready)
      throw TimeoutError("no SUBACK from the broker within " + std::to_string(timeout.count()) + " ms");
    const SubscribeResult granted = done.get();
    for (int qos : granted.granted_qos)
      if (qos < o.qos) spdlog::warn("the broker granted QoS {} instead of {}", qos, o.qos);
  }
  if (!o.unsubscribe.empty()) client.unsubscribe(o.unsubscribe).get();
}

bool is_filtered_out(const std::vector<TopicFilter>& filters, const std::string& topic) {
  for (const auto& f : filters)
    if (f.matches(topic)) return true;
  return false;
}

}  // namespace

ExitCode run_sub(const SubOptions& o, CommandContext& context) {
  SubPlan p = plan(o, context.environment);
  auto formatter = make_stdout_formatter(o.output);
  const Deduplicator dedupe(p.filters, p.dedupe);
  const std::vector<TopicFilter> filter_out(o.filter_out.begin(), o.filter_out.end());

  Client client(p.connection.client);
  client.set_event_handler(log_client_event);
  const auto signal_registration = context.signals.on_signal([&client](int) { client.stop(); });
  const auto started = Clock::now();
  spdlog::info("connecting to {} as {}", display_uri(p.connection.client.broker), client.client_id());
  client.connect();  // a signal during it: 130/143 (app.cpp)
  subscribe_all(client, o, p, p.connection.client.connect_timeout);
  if (o.exit_after_subscribe) return finish_client(client, ExitCode::ok);

  long long printed = 0;
  std::string buffer;
  std::vector<Receipt> handled;  // manual_acks: acknowledged once what they produced is written
  MessageQueue& queue = client.messages();
  std::optional<ExitCode> result;
  while (!result) {
    milliseconds wait(500);
    if (p.timeout) {
      const auto left = std::chrono::duration_cast<milliseconds>(*p.timeout - (Clock::now() - started));
      if (left <= milliseconds(0)) {
        spdlog::error("timed out after {} s with {} message(s)", *o.timeout_s, printed);
        result = ExitCode::timeout;
        break;
      }
      wait = std::min(wait, left);
    }
    std::optional<Message> message = queue.pop_for(wait);
    buffer.clear();
    handled.clear();
    while (message) {
      Message& m = *message;
      if (o.retained_only && !m.retain) {
        result = ExitCode::ok;
        break;
      }
      const bool skip = (o.no_stale_retained && m.retain) || is_filtered_out(filter_out, m.topic) ||
                        dedupe.is_duplicate(m);
      // Fix: the identifiers the deduplicator assigned are mqtk's bookkeeping, not message data;
      // --json and -F %S showed them although the user set none (dedupe is off when they do).
      if (p.dedupe) m.properties.subscription_identifiers.clear();
      if (o.remove_retained && m.retain && !m.payload.empty()) {
        Message clear;
        clear.topic = m.topic;
        clear.qos = 1;
        clear.retain = true;
        client.publish(std::move(clear));
      }
      if (p.connection.client.manual_acks) handled.push_back(Receipt::of(m));
      if (!skip) {
        formatter->format(buffer, m);
        ++printed;
        if ((o.count && printed >= *o.count) || (p.until && p.until->matches(m))) {
          result = ExitCode::ok;
          break;
        }
      }
      // Drain what is already queued into one write, without waiting for more.
      if (buffer.size() > 64 * 1024) break;
      message = queue.try_pop();
    }
    if (!buffer.empty() && !context.out.write(buffer)) {
      spdlog::debug("stdout closed by the reader");
      result = ExitCode::ok;
    } else if (!handled.empty()) {
      client.acknowledge(handled);
    }
    if (!result && !message && queue.closed() && queue.size() == 0) {
      if (const int signal = context.signals.received()) {
        const bool unfinished = o.count || o.until || o.retained_only;
        result = unfinished ? exit_code_for_signal(signal) : ExitCode::ok;
      } else {
        throw Error(ErrorCategory::runtime, "the connection to the broker was lost");
      }
    }
  }
  if (const auto dropped = queue.dropped())
    spdlog::warn("{} message(s) dropped by --overflow {}", dropped, o.overflow);
  return finish_client(client, *result);
}

}  // namespace mqtk::cli
