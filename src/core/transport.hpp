#pragma once
// Internal to the core: the protocol engine beneath Client::Impl, one broker connection at a
// time. Client::Impl (client_impl.hpp) owns everything that outlives a connection (the publish
// buffer and in-flight window, remembered subscriptions, the reconnect loop, events); a
// Transport only speaks MQTT on the current connection and reports what the broker answered.
//
// Two engines sit behind this, and both reach every broker the options describe (TLS,
// websockets, proxies): mqtk's own engine (native_transport.cpp), used unless the options ask
// for paho, written because paho.mqtt.c's thread hand-offs cap sub, pub -l and bridge below
// their peers and paho acknowledges on receipt (PERF-NOTES; README "Engines"); and
// paho.mqtt.cpp (paho_transport.cpp) on request.
//
// Threads: TransportEvents run on the engine's network thread and must not block. Operations
// may be called from any thread, but never while the caller holds a lock an event handler takes.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <mqtk/client.hpp>
#include <mqtk/client_options.hpp>
#include <mqtk/message.hpp>

namespace mqtk::detail {

// How a publish handed to the transport ended.
struct PublishOutcome {
  enum class Kind {
    acknowledged,  // QoS 0 written; QoS 1 PUBACK; QoS 2 PUBCOMP (v5 reason below 0x80)
    refused,       // v5 PUBACK/PUBREC/PUBCOMP with a reason of 0x80 or more: final
    interrupted,   // the connection ended first; QoS>0 may be sent again after a reconnect
  };
  Kind kind = Kind::acknowledged;
  std::optional<int> reason_code{};  // the v5 reason the broker sent, when it sent one
  std::string detail{};              // interrupted: why
};

// The SUBACK of one SUBSCRIBE packet, or why none came.
struct SubscribeOutcome {
  bool answered = false;
  std::vector<int> codes{};  // answered: one per filter, granted QoS or a refusal >= 0x80
  std::string failure{};     // not answered: why
};

class TransportEvents {
 public:
  virtual void on_message(Message&& message) = 0;
  // Several messages in arrival order (what one read brought); `messages` is left empty.
  virtual void on_messages(std::vector<Message>& messages) = 0;
  virtual void on_connection_lost(const std::string& cause) = 0;
  virtual void on_broker_disconnect(int reason_code) = 0;
  virtual void on_publish_done(std::uint64_t id, PublishOutcome outcome) = 0;
  virtual void on_subscribe_done(std::uint64_t id, SubscribeOutcome outcome) = 0;
  // `failure` empty: UNSUBACK received.
  virtual void on_unsubscribe_done(std::uint64_t id, std::string failure) = 0;

 protected:
  ~TransportEvents() = default;
};

// Thrown by an operation the transport cannot take now (not connected, shutting down).
class TransportRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Connects and waits for the CONNACK until `deadline`, asking `cancelled` every few tens of
  // milliseconds. Throws ConnectError worded for users (which CONNACK reason, DNS, TCP, TLS,
  // timeout, cancelled).
  virtual ConnectResult connect(std::chrono::steady_clock::time_point deadline,
                                const std::function<bool()>& cancelled) = 0;
  // Sends DISCONNECT and closes (bounded, a few seconds at most). Never throws.
  virtual void disconnect() noexcept = 0;
  // Ends a connect() in progress at once (it throws "cancelled"), and every later one: the
  // owner is shutting down (Client::stop()).
  virtual void interrupt() noexcept {}

  // Each operation is answered once through TransportEvents with the same `id`, unless it
  // throws TransportRejected.
  // Write::batched: the packet may stay in the output until a later publish with Write::now or
  // flush().
  virtual void publish(std::uint64_t id, std::shared_ptr<const Message> message, Write write) = 0;
  virtual void flush() {}
  // One SUBSCRIBE packet for all `subscriptions`; its v5 packet properties (identifier, user
  // properties) are the first subscription's.
  virtual void subscribe(std::uint64_t id, std::span<const Subscription> subscriptions) = 0;
  virtual void unsubscribe(std::uint64_t id, const std::vector<std::string>& filters) = 0;
  // ClientOptions::manual_acks: answers received QoS 1/2 messages of the current connection.
  // paho acknowledges on receipt and ignores this.
  virtual void acknowledge(std::span<const Receipt> receipts) { (void)receipts; }

  // How often a consumer of the incoming queue should yield before sleeping
  // (MessageQueue::set_yields_before_waiting): what suits this engine's delivery thread.
  virtual int consumer_yields() const noexcept { return 0; }

  // Whether one SUBSCRIBE may carry several filters with their own v5 options (no-local,
  // retain-as-published, retain handling); paho.mqtt.cpp 1.2 cannot (client_subscribe.cpp).
  virtual bool carries_per_filter_options() const noexcept = 0;

  // An engine that must be polled to notice a stalled connection returns how often; the
  // reconnect worker then calls check_liveness() that often while connected. liveness_period()
  // is asked under the owner's lock: it must return at once.
  virtual std::optional<std::chrono::milliseconds> liveness_period() const { return {}; }
  virtual void check_liveness() {}
};

// The engine for `options`: paho when options.engine says so, mqtk's own otherwise.
std::unique_ptr<Transport> make_transport(const ClientOptions& options, const std::string& client_id,
                                          TransportEvents& events);
std::unique_ptr<Transport> make_paho_transport(const ClientOptions& options,
                                               const std::string& client_id, TransportEvents& events);

}  // namespace mqtk::detail
