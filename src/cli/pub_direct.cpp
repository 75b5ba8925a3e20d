#include "cli/pub_direct.hpp"

#include <cerrno>
#include <cstdint>
#include <sys/eventfd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "cli/direct_publisher.hpp"
#include "cli/publish_size_limit.hpp"
#include "core/socket_io.hpp"
#include <mqtk/error.hpp>
#include <mqtk/reason_code.hpp>

namespace mqtk::cli {
namespace {

using Clock = std::chrono::steady_clock;

// The longest remaining length an MQTT packet can declare (a four-byte variable integer).
constexpr std::size_t largest_mqtt_packet = 268'435'455;
constexpr std::size_t largest_string = 65'535;

// How the core client's publish ends when the connection goes first: paho.mqtt.c fails the
// token with "Operation discarded before completion" (most often after the connection event
// the client logs: both lines are said here in that order).
void report_lost(const Message& message, const std::string& why) {
  spdlog::warn("{}", why);
  spdlog::error("publish to '{}' failed: Operation discarded before completion", message.topic);
}

}  // namespace

std::string direct_path_refusal(const PubOptions& o, const ResolvedConnection& resolved,
                                const Message& message) {
  const ClientOptions& c = resolved.client;
  if (o.payload.stdin_line || o.payload.jsonl) return "-l and --jsonl stream through the client";
  if (o.repeat != 1) return "--repeat publishes through the client";
  if (c.broker.transport == Transport::websocket || c.broker.transport == Transport::websocket_tls)
    return "websockets";
  if (uses_tls(c)) return "TLS";
  if (c.proxy.kind != ProxyKind::none) return "a proxy";
  if (!c.websocket_headers.empty()) return "--ws-header";
  if (c.will) return "a will";
  if (!resolved.properties.empty) return "-D properties";
  if (c.reconnect.enabled) return "--reconnect";
  if ((c.username && c.username->size() > largest_string) ||
      (c.password && c.password->size() > largest_string))
    return "a user name or password longer than 65535 bytes";
  if (estimated_publish_size(message) > largest_mqtt_packet) return "a payload above 256 MB";
  return {};
}

ExitCode run_direct_pub(const ResolvedConnection& resolved, const Message& message,
                        std::chrono::milliseconds ack_timeout, CommandContext& context) {
  const ClientOptions& options = resolved.client;
  const detail::Fd wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake) throw Error(ErrorCategory::runtime, "eventfd: " + detail::describe_errno(errno));
  const auto signal_registration = context.signals.on_signal([&wake](int) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake.get(), &one, sizeof one);
  });

  const std::string client_id = options.effective_client_id();
  spdlog::info("connecting to {} as {}", display_uri(options.broker), client_id);
  spdlog::info("one-shot direct path: mqtk's own MQTT connection, not paho");
  DirectPublisher publisher(options, client_id, wake.get());
  const bench::Connack connack = publisher.connect();
  try {
    check_publish_size(message, connack.maximum_packet_size, "");
  } catch (const Error&) {
    publisher.disconnect();
    throw;
  }
  const auto deadline = Clock::now() + ack_timeout;
  spdlog::info("1 message(s) handed to the client; waiting for acknowledgements");
  const DirectResult result = publisher.publish(message, deadline);

  bool failed = false;
  std::size_t unacknowledged = 0;
  switch (result.outcome) {
    case DirectOutcome::delivered:
      break;
    case DirectOutcome::refused:
      spdlog::error("the broker refused the message to '{}': {}", message.topic,
                    describe_reason_code(result.reason_code));
      failed = true;
      break;
    case DirectOutcome::closed_by_broker:
      report_lost(message, "the broker closed the connection: " + describe_reason_code(result.reason_code));
      failed = true;
      break;
    case DirectOutcome::connection_lost:
      report_lost(message, "connection lost: connection lost");
      failed = true;
      break;
    case DirectOutcome::timed_out:
      unacknowledged = 1;
      break;
  }
  publisher.disconnect();
  // As run_pub on the core client: a signal that arrived meanwhile decides the exit code, a
  // failure turns success into 1, and a missing acknowledgement into 4.
  ExitCode code = ExitCode::ok;
  if (const int signal = context.signals.received()) code = exit_code_for_signal(signal);
  if (failed && code == ExitCode::ok) code = ExitCode::runtime;
  finish_process(code, unacknowledged);
}

}  // namespace mqtk::cli
