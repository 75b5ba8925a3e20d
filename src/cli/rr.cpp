// `mqtk rr`: MQTT 5 request/response as mosquitto_rr, but safe by default: every request carries
// a fresh random correlation data, and only responses carrying it count (a stale retained reply
// on the response topic cannot satisfy the request). -C N collects several responses.

#include <atomic>
#include <csignal>
#include <memory>
#include <random>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/client_events.hpp"
#include "cli/command.hpp"
#include "cli/line_reader.hpp"
#include "cli/output_flags.hpp"
#include "cli/payload.hpp"
#include "cli/pub_options.hpp"
#include <mqtk/client.hpp>
#include <mqtk/error.hpp>
#include <mqtk/topic.hpp>

namespace mqtk::cli {

void add_payload_flags(CLI::App& app, PayloadFlags& payload, bool streams);

namespace {

struct RrOptions {
  ConnectionFlags connection;
  PayloadFlags payload;
  std::optional<std::string> topic;           // -t, the request topic
  std::optional<std::string> response_topic;  // -e
  int qos = 0;
  long long count = 1;
  double timeout_s = 10;
  OutputOptions output;  // -v -N -F --json --pretty
  std::optional<std::string> correlation;
};

std::string random_correlation() {
  static constexpr char hex[] = "0123456789abcdef";
  std::mt19937_64 random(std::random_device{}());
  std::string out;
  for (int i = 0; i < 32; ++i) out += hex[random() % 16];
  return out;
}

ExitCode run_rr(const RrOptions& o, CommandContext& context) {
  ResolvedConnection resolved = resolve_client_options(o.connection, context.environment);
  if (resolved.client.version != ProtocolVersion::v5)
    throw UsageError("mqtk rr needs MQTT 5 (response topic and correlation data); drop -V or use -V 5");
  resolved.client.reconnect.enabled = false;
  if (!o.topic) throw UsageError("mqtk rr needs a request topic (-t)");
  if (!o.response_topic) throw UsageError("mqtk rr needs a response topic (-e)");
  // Fix: as in pub, Topic's message cuts a long topic and escapes bytes that are not UTF-8
  // (the topic was echoed whole and raw).
  for (const auto& [flag, topic] :
       {std::pair{"-t: ", *o.topic}, std::pair{"-e: ", *o.response_topic}}) {
    try {
      static_cast<void>(Topic(topic));
    } catch (const UsageError& error) {
      throw UsageError(flag + std::string(error.what()));
    }
  }
  if (o.count < 1) throw UsageError("-C/--count must be 1 or more");
  if (!(o.timeout_s > 0)) throw UsageError("-W/--timeout must be more than 0 seconds");
  check_payload_flags(o.payload, false);

  LineReader input(STDIN_FILENO);
  Message request;
  request.topic = *o.topic;
  request.qos = o.qos;
  request.payload = read_whole_payload(o.payload, input);
  request.properties = resolved.properties.publish;
  request.properties.response_topic = *o.response_topic;
  const std::string correlation = o.correlation.value_or(random_correlation());
  request.properties.correlation_data = correlation;

  auto formatter = make_stdout_formatter(o.output);

  Client client(resolved.client);
  client.set_event_handler(log_client_event);
  // Once the request is out, a signal ends only the wait for responses: the request's own
  // acknowledgement is still awaited by finish_client() (it used to be dropped at once, exit 4).
  std::atomic<bool> request_sent{false};
  const auto signal_registration = context.signals.on_signal([&client, &request_sent](int) {
    if (request_sent) client.messages().close();
    else client.stop();
  });
  client.connect();  // a signal during it: 130/143 (app.cpp)
  Subscription response{*o.response_topic, {}};
  response.options.qos = o.qos;
  auto subscribed = client.subscribe({response});
  if (subscribed.wait_for(resolved.client.connect_timeout) != std::future_status::ready)
    throw TimeoutError("no SUBACK for the response topic");
  subscribed.get();
  client.publish(request);
  request_sent = true;

  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long long>(o.timeout_s * 1000));
  long long received = 0;
  std::string buffer;
  while (received < o.count) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      spdlog::error("timed out after {} s with {} of {} response(s)", o.timeout_s, received, o.count);
      return finish_client(client, ExitCode::timeout, std::chrono::seconds(1));
    }
    std::optional<Message> message = client.messages().pop_for(left);
    if (!message) {
      if (!client.messages().closed()) continue;
      const int signal = context.signals.received();
      if (!signal) throw Error(ErrorCategory::runtime, "the connection to the broker was lost");
      return finish_client(client, exit_code_for_signal(signal),
                           std::chrono::seconds(1));
    }
    if (message->properties.correlation_data != correlation) {
      spdlog::info("ignored a message on '{}' without this request's correlation data", message->topic);
      continue;
    }
    buffer.clear();
    formatter->format(buffer, *message);
    if (!context.out.write(buffer)) break;
    ++received;
  }
  return finish_client(client, ExitCode::ok, std::chrono::seconds(2));
}

}  // namespace

Command setup_rr(CLI::App& parent) {
  auto o = std::make_shared<RrOptions>();
  CLI::App* app = parent.add_subcommand(
      "rr", "Send an MQTT 5 request and print the response(s) (mosquitto_rr)");
  o->connection.default_version = ProtocolVersion::v5;  // before the flags: --help shows it
  add_connection_flags(*app, o->connection);
  add_payload_flags(*app, o->payload, false);
  const char* rr = "Request";
  app->add_option("-t,--topic", o->topic, "Request topic")->group(rr);
  app->add_option("-e,--response-topic", o->response_topic, "Response topic to subscribe to and name in the request")->group(rr);
  app->add_option("-q,--qos", o->qos, "QoS of the request and the response subscription")->check(CLI::Range(0, 2))->group(rr);
  app->add_option("-C,--count", o->count, "Wait for N responses (default 1)")->group(rr);
  app->add_option("-W,--timeout", o->timeout_s, "Give up after SECONDS with status 4 (default 10)")->group(rr);
  app->add_option("--correlation-data", o->correlation, "Use this correlation data instead of a random one")->group(rr);
  add_output_flags(*app, o->output);
  return {app, [o](CommandContext& context) { return run_rr(*o, context); }};
}

}  // namespace mqtk::cli
