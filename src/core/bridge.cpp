#include "core/bridge.hpp"

#include <algorithm>
#include <future>
#include <thread>

#include "core/bridge_forwarder.hpp"
#include "core/bridge_link.hpp"
#include "core/thread_name.hpp"
#include <mqtk/error.hpp>

namespace mqtk {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// What the side reading for `direction` subscribes to. With MQTT 5: no-local when the same
// connection also publishes the other direction (our own publishes never come back), retain as
// published (a retained message stays retained across), and one subscription identifier per
// rule when there are several, so overlapping rules forward one copy.
std::vector<Subscription> subscriptions_for(const BridgeOptions& options, BridgeDirection direction) {
  const bool v5 = detail::source_side(options, direction).version == ProtocolVersion::v5;
  const bool also_publishes = detail::has_rules(options, detail::opposite(direction));
  std::vector<Subscription> out;
  for (const BridgeRule& rule : options.rules) {
    if (rule.direction != direction) continue;
    Subscription s{rule.filter, {}};
    s.options.qos = rule.qos;
    s.options.no_local = v5 && also_publishes;
    s.options.retain_as_published = v5;
    out.push_back(std::move(s));
  }
  if (v5 && out.size() > 1)
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i].options.subscription_identifier = static_cast<std::uint32_t>(i + 1);
  return out;
}

// A side's client as the bridge runs it: what it receives is acknowledged to its broker only
// once the other broker has it (the forwarder acknowledges), so under MQTT 5 the receive maximum
// bounds what the bridge holds: half of max_queued. One window (right while paho acknowledged
// on receipt) starves the bridge: mosquitto then sends in small batches, 10k msg/s here against
// 30k with a quota of thousands. mosquitto 2.0.11 does not keep to it, though: each PUBACK lets
// it send a whole receive maximum more (measured here: 10 more for one PUBACK with a receive
// maximum of 10; mosquitto#2301). So a source whose reading can be held back
// (source_reading_bounded) also gets a queue of max_queued that blocks its network thread when
// full: it stops reading and the broker keeps the rest, instead of the forwarder closing the
// connection and the broker resending everything not yet acknowledged.
ClientOptions bridge_client(ClientOptions options, std::size_t max_queued, bool reading_bounded) {
  options.manual_acks = true;
  if (options.version == ProtocolVersion::v5 && !options.connect_properties.receive_maximum)
    options.connect_properties.receive_maximum = static_cast<std::uint16_t>(std::clamp<std::size_t>(
        max_queued / 2, std::max<std::size_t>(options.max_inflight, 1), 65535));
  if (reading_bounded) options.incoming = QueueOptions{.capacity = max_queued, .overflow = OverflowPolicy::block};
  return options;
}

}  // namespace

std::string_view to_string(BridgeSide side) noexcept {
  return side == BridgeSide::from ? "from" : "to";
}

class Bridge::Impl {
 public:
  Impl(BridgeOptions options, EventHandler events)
      : options_(std::move(options)),
        from_(BridgeSide::from,
              bridge_client(options_.from, options_.max_queued,
                            detail::source_reading_bounded(options_, BridgeDirection::forward)),
              subscriptions_for(options_, BridgeDirection::forward), events, counters_),
        to_(BridgeSide::to,
            bridge_client(options_.to, options_.max_queued,
                          detail::source_reading_bounded(options_, BridgeDirection::reverse)),
            subscriptions_for(options_, BridgeDirection::reverse), events, counters_) {
    if (options_.rules.empty()) throw UsageError("a bridge needs at least one rule");
    if (options_.max_queued == 0) throw UsageError("the bridge queue needs room for one message");
  }

  ~Impl() {
    if (!threads_.empty() && !shut_down_) shutdown(milliseconds(0));
  }

  void start() {
    // Both at once: paho.mqtt.c 1.3.12 makes a connect wait ~2 s while another client of the
    // process is connected (paho.mqtt.c#1430), not while it is connecting too.
    auto to_connected = std::async(std::launch::async, [this] { to_.open(false); });
    try {
      from_.open(false);
    } catch (...) {
      to_connected.wait();
      throw;
    }
    to_connected.get();
    for (BridgeDirection direction : {BridgeDirection::forward, BridgeDirection::reverse}) {
      if (!detail::has_rules(options_, direction)) continue;
      const bool forward = direction == BridgeDirection::forward;
      forwarders_.push_back(std::make_unique<detail::BridgeForwarder>(
          direction, forward ? from_ : to_, forward ? to_ : from_, options_, counters_));
    }
    for (auto& forwarder : forwarders_)
      threads_.emplace_back([f = forwarder.get()] {
        detail::name_this_thread("mqtk-forwarder");
        f->run();
      });
  }

  std::uint64_t shutdown(milliseconds drain) {
    shut_down_ = true;
    const auto deadline = Clock::now() + drain;
    for (auto& forwarder : forwarders_) forwarder->begin_drain(deadline);
    // A side that only reads is closed first, so nothing arrives after its queue is drained.
    for (detail::BridgeLink* link : {&from_, &to_})
      if (!detail::has_rules(options_, link == &from_ ? BridgeDirection::reverse : BridgeDirection::forward))
        link->close(milliseconds(0));
    auto all_finished = [&] {
      for (auto& forwarder : forwarders_)
        if (!forwarder->finished()) return false;
      return true;
    };
    while (!all_finished() && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(10));
    if (!all_finished()) {
      from_.stop();
      to_.stop();
    }
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    const auto left = std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
    from_.close(left);
    to_.close(left);
    std::uint64_t undelivered = 0;
    for (auto& forwarder : forwarders_) undelivered += forwarder->undelivered() + forwarder->backlog();
    return undelivered;
  }

  void cancel_start() {
    from_.stop();
    to_.stop();
  }

  std::optional<std::string> failure() const {
    for (const auto& forwarder : forwarders_)
      if (forwarder->finished() && !forwarder->failure().empty()) return forwarder->failure();
    return std::nullopt;
  }

  BridgeStats stats() const {
    BridgeStats s;
    for (int i = 0; i < 2; ++i) {
      s.forwarded[static_cast<std::size_t>(i)] = counters_.forwarded[static_cast<std::size_t>(i)];
      s.reconnects[static_cast<std::size_t>(i)] = counters_.reconnects[static_cast<std::size_t>(i)];
      s.in_flight += counters_.in_flight[static_cast<std::size_t>(i)];
    }
    s.duplicates = counters_.duplicates;
    s.dropped = counters_.dropped;
    s.expired = counters_.expired;
    s.echoes = counters_.echoes;
    s.pauses = counters_.pauses;
    return s;
  }

 private:
  BridgeOptions options_;
  detail::BridgeCounters counters_;
  detail::BridgeLink from_;
  detail::BridgeLink to_;
  std::vector<std::unique_ptr<detail::BridgeForwarder>> forwarders_;
  std::vector<std::thread> threads_;
  bool shut_down_ = false;
};

Bridge::Bridge(BridgeOptions options, EventHandler events)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(events))) {}
Bridge::~Bridge() = default;
void Bridge::start() { impl_->start(); }
std::uint64_t Bridge::shutdown(milliseconds drain) { return impl_->shutdown(drain); }
BridgeStats Bridge::stats() const { return impl_->stats(); }
void Bridge::cancel_start() { impl_->cancel_start(); }
std::optional<std::string> Bridge::failure() const { return impl_->failure(); }

}  // namespace mqtk
