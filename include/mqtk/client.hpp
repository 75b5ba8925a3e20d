#pragma once
/// @file
/// One broker session whose lifetime is the object, as in aiomqtt's `async with Client(...)`:
/// connect() connects or throws an Error naming the reason; destruction waits (bounded) for
/// in-flight QoS>0 publishes to be acknowledged and disconnects cleanly. Incoming messages flow
/// into messages(). With reconnect enabled, a lost connection is re-established with backoff,
/// subscriptions are restored when the broker kept no session, and publishes made meanwhile are
/// buffered (bounded) and sent after the reconnect.
/// Why no callbacks for messages: user code pulls from messages() (or a Router fed from it) on
/// threads it owns, so it never runs on paho's network thread and cannot stall it.
/// Cancellation: stop() wakes every call blocked in this client (connect() retries, publish()
/// waiting for a window, messages().pop()) and makes them return or throw; nothing hangs.
/// Thread-safety: all member functions may be called from any thread (one Client can be shared
/// by several publishers). Event handlers run on the client's own worker thread, never on the
/// network thread; they must not call disconnect() and should return quickly.

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <mqtk/client_options.hpp>
#include <mqtk/message.hpp>
#include <mqtk/message_queue.hpp>

namespace mqtk {

/// What the broker said in CONNACK.
struct ConnectResult {
  bool session_present = false;
  ProtocolVersion version = ProtocolVersion::v311;
  std::string client_id{};  ///< the one in use (assigned by the broker when it sent one)
  std::string server_uri{};
  /// v5 CONNACK properties, when the broker sent them.
  std::optional<std::uint16_t> receive_maximum{};
  std::optional<int> maximum_qos{};
  std::optional<bool> retain_available{};
  std::optional<std::uint32_t> maximum_packet_size{};
  std::optional<std::string> assigned_client_id{};
  std::optional<std::uint16_t> topic_alias_maximum{};
  std::optional<std::string> reason_string{};
  std::optional<bool> wildcard_subscription_available{};
  std::optional<bool> subscription_identifiers_available{};
  std::optional<bool> shared_subscription_available{};
  std::optional<std::uint16_t> server_keep_alive{};
  std::optional<std::string> response_information{};
  std::optional<std::string> server_reference{};
  std::optional<std::uint32_t> session_expiry_interval{};
  std::vector<std::pair<std::string, std::string>> user_properties{};
};

/// Per-filter SUBSCRIBE options; the v5 ones are ignored on 3.1/3.1.1 connections.
struct SubscribeOptions {
  int qos = 0;
  bool no_local = false;                  ///< v5
  bool retain_as_published = false;       ///< v5
  int retain_handling = 0;                ///< v5: 0 send, 1 send if new, 2 never
  std::optional<std::uint32_t> subscription_identifier{};  ///< v5
  std::vector<std::pair<std::string, std::string>> user_properties{};  ///< v5
};

/// One topic filter to subscribe to, with its options.
struct Subscription {
  std::string filter{};  ///< validated before anything is sent
  SubscribeOptions options{};
};

/// Granted QoS per filter, in request order.
struct SubscribeResult {
  std::vector<int> granted_qos{};
};

/// What publish() resolves to once the broker has acknowledged (QoS>0) or the message was
/// handed to the network (QoS 0).
struct PublishResult {
  std::optional<int> reason_code{};  ///< v5 PUBACK/PUBREC reason, when sent
};

/// When publish() writes the message: `now`, or `batched`: it may wait in the connection's
/// output for a later publish with `now` or flush(), so that a batch leaves in one write (fewer
/// system calls and broker wake-ups; the bridge forwards this way). A publish that has to wait
/// for the in-flight window writes what is held first.
enum class Write { now, batched };

/// What Client::acknowledge() needs of a received message.
struct Receipt {
  std::uint16_t packet_id = 0;
  int qos = 0;
  static Receipt of(const Message& message) { return {message.packet_id, message.qos}; }
};

/// What happened to the connection; see ClientEvent.
enum class ClientEventKind {
  connected,           ///< (re)connected; detail says whether a session was present
  connection_lost,     ///< the network or the broker dropped the connection
  reconnecting,        ///< waiting `delay` before the next attempt
  reconnect_failed,    ///< an attempt failed; detail says why
  resubscribed,        ///< subscriptions restored because the broker had no session
  session_lost,        ///< reconnected without a session: messages sent meanwhile may be missing
  disconnected_by_broker,  ///< v5 DISCONNECT from the broker; reason_code set
  publish_dropped,     ///< a buffered publish was discarded (overflow or non-retryable error)
};

/// A connection event passed to the handler set with Client::set_event_handler().
struct ClientEvent {
  ClientEventKind kind{};
  std::string detail{};
  std::optional<int> reason_code{};
  std::chrono::milliseconds delay{0};
};

/// An MQTT session with one broker (MQTT 3.1, 3.1.1 or 5), as an RAII object: see the file
/// comment for its lifetime, cancellation and thread-safety rules.
class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Connects and waits for CONNACK (bounded by connect_timeout). Throws ConnectError with the
  /// reason (refused with CONNACK/reason code X, DNS, TCP, TLS, timeout). With
  /// reconnect.retry_initial_connect it keeps trying with backoff until stop() is called.
  ConnectResult connect();
  /// Waits up to `grace` for in-flight QoS>0 publishes, then sends DISCONNECT. Idempotent.
  /// Returns the number of publishes still unacknowledged when it gave up.
  std::size_t disconnect(std::chrono::milliseconds grace);
  /// Wakes every blocked call (connect retries, publish waiting for a window, messages().pop())
  /// so the caller can shut down; then disconnect() or destruction finishes the job.
  void stop();

  /// Sends one SUBSCRIBE for all `subscriptions`, or one per filter when their v5 options,
  /// subscription identifiers or user properties differ (those belong to the whole packet).
  /// Filters are validated first (UsageError); the future resolves when every SUBACK is in and
  /// throws ProtocolError with the reason code when the broker refuses one.
  std::future<SubscribeResult> subscribe(std::vector<Subscription> subscriptions);
  /// Sends one UNSUBSCRIBE; the future resolves on UNSUBACK.
  std::future<void> unsubscribe(std::vector<std::string> filters);
  /// Waits while max_inflight publishes are outstanding (flow control), then sends, or buffers
  /// when disconnected and reconnect is on. Throws UsageError for an invalid topic or QoS.
  std::future<PublishResult> publish(Message message, Write write = Write::now);
  /// Writes what publish(..., Write::batched) left in the connection's output.
  void flush();
  /// Waits until every publish so far is acknowledged or `timeout` passes; returns how many are
  /// still outstanding.
  std::size_t wait_for_publishes(std::chrono::milliseconds timeout);
  std::size_t publishes_in_flight() const;

  /// With ClientOptions::manual_acks: acknowledges received QoS 1/2 messages to the broker, in
  /// one write. Receipts of QoS 0 messages, of messages already acknowledged, or of a connection
  /// that has since ended (the broker resends those) are ignored. Without manual_acks: nothing.
  void acknowledge(std::span<const Receipt> receipts);
  void acknowledge(const Message& message) {
    const Receipt receipt = Receipt::of(message);
    acknowledge(std::span<const Receipt>(&receipt, 1));
  }

  /// The incoming messages, ordered and bounded as ClientOptions::incoming says. Closed by
  /// stop() and by disconnect(), after which pop() drains what is left and returns nullopt.
  MessageQueue& messages();
  bool is_connected() const;
  const std::string& client_id() const;
  /// The last CONNACK (empty before the first connect).
  std::optional<ConnectResult> connect_result() const;

  /// Receives connection events (lost, reconnecting, resubscribed, ...), the way a user sees
  /// what the automatic reconnect does. Replaces any previous handler.
  void set_event_handler(std::function<void(const ClientEvent&)> handler);

  /// The paho-backed implementation (src/core/client_impl.hpp); not part of the API.
  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqtk
