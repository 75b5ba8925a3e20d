#pragma once
// One load client of `mqtk bench`: a non-blocking socket (optionally TLS) speaking MQTT through
// packet_codec, driven by a worker's epoll loop (worker.hpp). Written for bench instead of using
// the core's paho client because paho.mqtt.c serves every client of a process from one send and
// one receive thread with linear scans over all handles (25-40k msg/s fan-in where MQTT.js
// reaches ~85k) and makes each extra connect wait ~2 s while another is connected
// (PERF-NOTES gotchas 7-10, paho.mqtt.c#1430). Here a worker thread owns its connections
// outright: writes are batched per loop iteration, TCP_NODELAY is on, and QoS>0 publishes
// keep a bounded window (the broker's receive maximum caps it).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/socket.h>

#include "bench/packet_codec.hpp"
#include "bench/tls_stream.hpp"
#include "core/websocket_frame.hpp"
#include "core/socket_io.hpp"

namespace mqtk::bench {

using Clock = std::chrono::steady_clock;

// Why a connection ended or failed; counted per kind in the report.
enum class ErrorKind : std::uint8_t {
  connect_failed,     // TCP connect refused or unreachable, socket limits
  connect_timeout,    // no CONNACK within the connect timeout
  tls,                // handshake or certificate verification
  connack_refused,    // the broker answered CONNACK with an error code
  subscribe_refused,  // SUBACK failure code
  publish_refused,    // v5 PUBACK/PUBREC with a reason code >= 0x80
  connection_lost,    // the broker closed the connection or a read/write failed
  protocol,           // a malformed or unexpected packet
  ack_timeout,        // a publisher still awaited acknowledgements when the run ended
  count_,
};
std::string_view to_string(ErrorKind kind) noexcept;

// What every client of a run shares.
struct SessionSettings {
  MqttVersion version = MqttVersion::v311;
  std::uint16_t keepalive_s = 60;
  bool clean_start = true;
  std::optional<std::uint32_t> session_expiry_s;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::uint16_t window = 100;  // QoS>0 publishes in flight per client, before the broker's cap
  sockaddr_storage address{};
  socklen_t address_length = 0;
  const TlsContext* tls = nullptr;
  bool websocket = false;      // MQTT inside websocket frames (ws://, wss://)
  std::string websocket_host;  // Host header
  std::uint16_t websocket_port = 0;
  std::string websocket_path;  // without the leading '/'
};

class BenchConnection;

// The worker's side of a connection. Handlers may queue packets on the connection (publish(),
// subscribe()) but must not destroy it.
class ConnectionEvents {
 public:
  virtual void on_connected(BenchConnection& connection, const Connack& connack) = 0;
  virtual void on_subscribed(BenchConnection& connection, std::uint8_t code) = 0;
  virtual void on_message(BenchConnection& connection, const IncomingPublish& message) = 0;
  // A QoS>0 publish completed (PUBACK, or PUBCOMP at QoS 2); reason >= 0x80 is a refusal.
  virtual void on_acked(BenchConnection& connection, std::uint8_t reason) = 0;
  // The socket is already closed when this runs.
  virtual void on_closed(BenchConnection& connection, ErrorKind kind, const std::string& detail) = 0;

 protected:
  ~ConnectionEvents() = default;
};

class BenchConnection {
 public:
  enum class State { idle, connecting, tls_handshake, websocket_upgrade, awaiting_connack, ready, closed };

  BenchConnection(std::uint32_t slot, std::string client_id)
      : slot_(slot), client_id_(std::move(client_id)) {}

  // Starts a non-blocking connect; false (and on_closed already called) when it fails at once.
  bool open(const SessionSettings& settings, Clock::time_point now, ConnectionEvents& events);
  // Closes the socket without an event (the end of the run).
  void close() noexcept;

  void handle_readable(ConnectionEvents& events, std::span<char> scratch);
  void handle_writable(ConnectionEvents& events);
  // Writes what is queued. On failure the connection is closed and on_closed called.
  void flush(ConnectionEvents& events);

  // Queues a PUBLISH (packet id and window handled here; QoS>0 counts as in flight).
  void publish(std::string_view topic, std::string_view payload, int qos);
  void subscribe(std::string_view filter, int qos);
  void ping();
  void disconnect();

  int fd() const noexcept { return fd_.get(); }
  State state() const noexcept { return state_; }
  bool ready() const noexcept { return state_ == State::ready; }
  bool window_open() const noexcept { return inflight_ < window_; }
  std::uint32_t inflight() const noexcept { return inflight_; }
  std::uint32_t window() const noexcept { return window_; }
  bool has_output() const noexcept { return out_offset_ < out_.size() || wire_offset_ < wire_.size(); }
  // The socket must be watched for writability (connect in progress, a blocked write, TLS).
  bool wants_writable() const noexcept;
  std::uint32_t slot() const noexcept { return slot_; }
  const std::string& client_id() const noexcept { return client_id_; }
  Clock::time_point opened_at() const noexcept { return opened_at_; }
  Clock::time_point last_write() const noexcept { return last_write_; }
  Clock::time_point last_read() const noexcept { return last_read_; }  // any bytes from the broker
  Clock::time_point last_ping() const noexcept { return last_ping_; }
  std::size_t buffered_bytes() const noexcept {
    return out_.size() - out_offset_ + wire_.size() - wire_offset_ + in_.size();
  }

 private:
  void fail(ConnectionEvents& events, ErrorKind kind, const std::string& detail);
  void start_session(ConnectionEvents& events);
  void send_connect(ConnectionEvents& events);
  // Feeds received bytes to the MQTT parser; false once the connection failed.
  bool consume(ConnectionEvents& events, std::string_view data);
  // Websockets: the upgrade response, then frames into `stream`; false once failed or closed.
  bool unwrap_websocket(ConnectionEvents& events, std::string_view data, std::string& stream);
  void continue_handshake(ConnectionEvents& events);
  // Parses complete packets from `data`; returns the bytes consumed, or npos after a failure.
  std::size_t process(ConnectionEvents& events, std::string_view data);
  bool handle_packet(ConnectionEvents& events, const PacketView& packet);
  IoResult read_some(char* data, std::size_t size);
  IoResult write_some(const char* data, std::size_t size);
  std::uint16_t next_packet_id() noexcept;

  std::uint32_t slot_;
  std::string client_id_;
  const SessionSettings* settings_ = nullptr;
  detail::Fd fd_;
  std::unique_ptr<TlsStream> tls_;
  bool tls_wants_write_ = false;
  State state_ = State::idle;
  std::string in_;   // an incomplete packet carried over to the next read
  std::string out_;  // packets queued since the last flush
  std::size_t out_offset_ = 0;
  std::string ws_in_;  // websocket bytes not yet a whole frame (and the upgrade response)
  std::string wire_;   // websocket frames (and the upgrade request) not yet written
  std::size_t wire_offset_ = 0;
  bool write_blocked_ = false;
  std::uint16_t last_packet_id_ = 0;
  std::uint32_t inflight_ = 0;
  std::uint32_t window_ = 100;
  Clock::time_point opened_at_{};
  Clock::time_point last_write_{};
  Clock::time_point last_read_{};
  Clock::time_point last_ping_{};
};

}  // namespace mqtk::bench
