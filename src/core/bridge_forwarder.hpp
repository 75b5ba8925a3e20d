#pragma once
// Internal to the bridge: one direction's loop. It takes what the source received, rewrites it
// (topic, expiry, origin marker), publishes it on the destination and keeps it until the
// destination acknowledged it; what a reconnect or a closed link cut off is published again.

#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/bridge_link.hpp"
#include <mqtk/topic.hpp>

namespace mqtk::detail {

// The options of the side that reads for `direction` (its source) and of the side it writes to.
const ClientOptions& source_side(const BridgeOptions& options, BridgeDirection direction);
const ClientOptions& destination_side(const BridgeOptions& options, BridgeDirection direction);
BridgeDirection opposite(BridgeDirection direction);
bool has_rules(const BridgeOptions& options, BridgeDirection direction);

// Whether the source of `direction` is held back by its own bounded queue (the client stops
// reading from the broker while max_queued messages wait: TCP backpressure) rather than by the
// forwarder closing it at max_queued (a pause). Only on mqtk's engine (paho's one network thread
// serves every client, so blocking it would stop the destination's acknowledgements too) and
// only for a source that does not also publish: in a two-way bridge a side must go on reading
// to see the acknowledgements of what it publishes, which come after what it did not take yet.
bool source_reading_bounded(const BridgeOptions& options, BridgeDirection direction);

class BridgeForwarder {
 public:
  BridgeForwarder(BridgeDirection direction, BridgeLink& source, BridgeLink& destination,
                  const BridgeOptions& options, BridgeCounters& counters);

  void run();  // the thread body; returns after begin_drain() once drained or at the deadline
  // Stop reading new work: deliver what is held until `deadline`.
  void begin_drain(std::chrono::steady_clock::time_point deadline);
  bool finished() const noexcept { return finished_.load(); }
  // Received but not acknowledged by the destination when run() returned.
  std::uint64_t undelivered() const noexcept { return undelivered_.load(); }
  // Why run() ended early (the source connection ended for good); read once finished().
  const std::string& failure() const noexcept { return failure_; }
  // What the source received after run() returned (read once finished()).
  std::size_t backlog() const { return source_client_ ? source_client_->messages().size() : 0; }

 private:
  struct Held {
    Message message;  // as it will be published
    std::future<PublishResult> ack;
    Receipt source;   // acknowledged to the source once the destination has it
  };
  struct Route {
    TopicFilter filter;
    BridgeRule rule;
  };

  void forward(Message message);
  // Publishes with Write::batched; flush_destination() writes the batch.
  void publish(Message message, Receipt source);
  void flush_destination();
  // Acknowledges to the source broker what the bridge is done with (manual_acks).
  void acknowledge_source(std::span<const Receipt> receipts);
  void settle_acknowledged();
  void pause_if_full();
  const Route* route_for(const Message& message) const;
  std::size_t held(const std::shared_ptr<Client>& source) const;
  // Publishes awaiting acknowledgement at once: --max-inflight, lowered to the destination's
  // receive maximum (learnt from its first CONNACK).
  std::size_t window();

  BridgeDirection direction_;
  int index_;  // into the per-direction counters
  BridgeLink& source_;
  BridgeLink& destination_;
  const BridgeOptions& options_;
  BridgeCounters& counters_;
  std::vector<Route> routes_;
  const bool source_v5_;
  const bool source_reading_bounded_;  // source_reading_bounded(): no pauses
  // A paused source's queued QoS 1/2 messages are left to the broker's resend (mqtk's engine
  // acknowledges only what the bridge acknowledged; the session is kept) rather than forwarded
  // now and again after the resend.
  const bool pause_leaves_unacknowledged_;
  std::deque<Held> held_;
  std::vector<Receipt> settled_;  // settle_acknowledged()'s, kept for its capacity
  std::shared_ptr<Client> unflushed_;  // the destination client publish() left output with
  std::shared_ptr<Client> source_client_;  // also the closed one while paused: its queue drains
  bool paused_ = false;
  std::optional<std::size_t> window_;
  std::uint64_t undelivered_lost_ = 0;  // no destination to publish to before the deadline
  std::string failure_;
  std::atomic<bool> draining_{false};
  std::atomic<std::chrono::steady_clock::time_point> deadline_{};
  std::atomic<bool> finished_{false};
  std::atomic<std::uint64_t> undelivered_{0};
};

}  // namespace mqtk::detail
