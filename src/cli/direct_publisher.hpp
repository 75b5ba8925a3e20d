#pragma once
// One MQTT connection that publishes a single message and leaves, spoken over a blocking
// socket with the bench engine's codec (src/bench/packet_codec.hpp) instead of through paho:
// paho.mqtt.c's thread start-up waits, OpenSSL set-up and teardown cost a one-shot `mqtk pub`
// 20-125 ms where mosquitto_pub needs 3 ms (PERF-NOTES gotcha 4; pub_direct.hpp has the
// figures and says when this is used). Plain TCP only. Every wait has a deadline; until the
// CONNACK it also watches a wake descriptor, so a signal ends a connect at once.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bench/packet_codec.hpp"
#include "core/socket_io.hpp"
#include <mqtk/client_options.hpp>
#include <mqtk/message.hpp>

namespace mqtk::cli {

// How the one message ended.
enum class DirectOutcome {
  delivered,         // QoS 0 written; QoS 1 PUBACK; QoS 2 PUBCOMP (v5: reason below 0x80)
  refused,           // v5 PUBACK, PUBREC or PUBCOMP with a reason code of 0x80 or more
  closed_by_broker,  // a v5 DISCONNECT from the broker before the acknowledgement
  connection_lost,   // the connection closed or failed before the acknowledgement
  timed_out,         // no acknowledgement by the deadline
};

struct DirectResult {
  DirectOutcome outcome = DirectOutcome::delivered;
  std::uint8_t reason_code = 0;  // for refused and closed_by_broker
};

class DirectPublisher {
 public:
  // `wake_fd` becoming readable cancels connect(); -1 for none.
  DirectPublisher(const ClientOptions& options, std::string client_id, int wake_fd);

  // TCP connect, CONNECT and CONNACK, all within options.connect_timeout. Throws ConnectError
  // worded as the core client's (the same failures read the same on both paths); cancelled
  // by the wake descriptor it throws ConnectError("... cancelled").
  bench::Connack connect();

  // Sends `message` (packet identifier 1) and waits until `deadline` for its acknowledgement:
  // PUBACK at QoS 1, PUBREC then PUBREL/PUBCOMP at QoS 2. Meanwhile it acknowledges what a
  // persistent session delivers and keeps the connection alive with PINGREQ. The wake
  // descriptor no longer cuts this wait short: like the core client, a signal here lets the
  // acknowledgement arrive until the deadline, and the caller picks the exit code.
  DirectResult publish(const Message& message, detail::Deadline deadline);

  // Acknowledges anything already received, sends DISCONNECT and closes. Never throws: the
  // broker may already be gone.
  void disconnect() noexcept;

 private:
  void send_packet(std::string_view bytes, detail::Deadline deadline);
  // The next whole packet, or nullopt once `until` has passed. Throws detail::SocketError when
  // the connection closes or fails or a packet is malformed, detail::SocketStopped on a wake.
  std::optional<bench::PacketView> receive(detail::Deadline until);
  // Handles what the broker sends unasked (a persistent session's messages, PINGRESP).
  void answer_unsolicited(const bench::PacketView& packet, detail::Deadline deadline);
  DirectResult await_acknowledgement(int qos, detail::Deadline deadline);

  const ClientOptions& options_;
  std::string client_id_;
  bench::MqttVersion version_;
  int wake_fd_;
  detail::Fd socket_;
  std::string inbox_;
  std::size_t consumed_ = 0;  // bytes of inbox_ handed out by the last receive()
  std::chrono::seconds keepalive_{0};
  std::chrono::steady_clock::time_point last_sent_{};
};

}  // namespace mqtk::cli
