#include "core/bridge_forwarder.hpp"

#include <algorithm>
#include <utility>

#include "core/in_flight_window.hpp"
#include <mqtk/error.hpp>

namespace mqtk::detail {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

Clock::time_point far_future() { return Clock::now() + std::chrono::hours(24 * 365); }

}  // namespace

const ClientOptions& source_side(const BridgeOptions& options, BridgeDirection direction) {
  return direction == BridgeDirection::forward ? options.from : options.to;
}

const ClientOptions& destination_side(const BridgeOptions& options, BridgeDirection direction) {
  return source_side(options, opposite(direction));
}

BridgeDirection opposite(BridgeDirection direction) {
  return direction == BridgeDirection::forward ? BridgeDirection::reverse : BridgeDirection::forward;
}

bool has_rules(const BridgeOptions& options, BridgeDirection direction) {
  return std::any_of(options.rules.begin(), options.rules.end(),
                     [&](const BridgeRule& rule) { return rule.direction == direction; });
}

bool source_reading_bounded(const BridgeOptions& options, BridgeDirection direction) {
  return source_side(options, direction).engine != Engine::paho && !has_rules(options, opposite(direction));
}

BridgeForwarder::BridgeForwarder(BridgeDirection direction, BridgeLink& source,
                                 BridgeLink& destination, const BridgeOptions& options,
                                 BridgeCounters& counters)
    : direction_(direction),
      index_(direction == BridgeDirection::forward ? 0 : 1),
      source_(source),
      destination_(destination),
      options_(options),
      counters_(counters),
      source_v5_(source_side(options, direction).version == ProtocolVersion::v5),
      source_reading_bounded_(source_reading_bounded(options, direction)),
      pause_leaves_unacknowledged_(source_side(options, direction).engine != Engine::paho &&
                                   !source_side(options, direction).clean_session) {
  for (const BridgeRule& rule : options.rules)
    if (rule.direction == direction) routes_.push_back({TopicFilter(rule.filter), rule});
}

void BridgeForwarder::begin_drain(Clock::time_point deadline) {
  deadline_ = deadline;
  draining_ = true;
}

std::size_t BridgeForwarder::window() {
  if (!window_) {
    const ClientOptions& side = destination_side(options_, direction_);
    auto destination = destination_.current(Clock::now());
    const std::size_t size =
        in_flight_window(side, destination ? destination->connect_result() : std::nullopt);
    if (destination) window_ = size;
    return size;
  }
  return *window_;
}

std::size_t BridgeForwarder::held(const std::shared_ptr<Client>& source) const {
  return held_.size() + (source ? source->messages().size() : 0);
}

void BridgeForwarder::run() {
  try {
    source_client_ = source_.current(far_future());
    for (;;) {
      settle_acknowledged();
      flush_destination();  // what settling published again
      if (draining_) {
        if (Clock::now() >= deadline_.load()) break;
        if (held(source_client_) == 0) break;
      } else if (!source_reading_bounded_) {
        pause_if_full();
      }
      // A full window stays in the source's queue, where pause_if_full() sees it: publish()
      // would block this thread, and the source would go on filling memory meanwhile.
      const bool window_full = held_.size() >= window();
      std::optional<Message> message;
      if (source_client_ && !window_full)
        message = source_client_->messages().pop_for(held_.empty() ? milliseconds(20) : milliseconds(0));
      if (message) {
        forward(std::move(*message));
        // Take what is already queued without waiting, while the window has room.
        for (int batch = 0; batch < 256 && held_.size() < window(); ++batch) {
          message = source_client_->messages().try_pop();
          if (!message) break;
          forward(std::move(*message));
        }
        flush_destination();
      } else if (window_full) {
        // Acknowledgements come in order: waiting for the middle one frees half the window with
        // one wake-up instead of one per acknowledgement.
        held_[held_.size() / 2].ack.wait_for(milliseconds(20));
      } else if (!held_.empty()) {
        held_.front().ack.wait_for(milliseconds(20));
      } else if (!draining_ && !paused_ && source_client_ && source_client_->messages().closed()) {
        failure_ = std::string(to_string(source_.side())) +
                   " side: the connection ended and will not be reopened (another client took over the id?)";
        break;
      }
    }
  } catch (const std::exception& e) {
    failure_ = e.what();
  }
  undelivered_ = held_.size() + undelivered_lost_;  // the queue is counted by backlog()
  counters_.in_flight[index_] = 0;
  finished_ = true;
}

void BridgeForwarder::pause_if_full() {
  const std::size_t now_held = held(source_client_);
  if (!paused_ && now_held >= options_.max_queued) {
    // Stop reading: the source broker keeps queueing in our persistent session meanwhile.
    paused_ = true;
    ++counters_.pauses;
    source_.close(milliseconds(1000));
  } else if (paused_ && held_.empty() && source_client_ && source_client_->messages().size() == 0) {
    // Only once the closed client's queue is empty: replacing it drops what it still holds,
    // which paho has already acknowledged to the source broker.
    try {
      source_.open(true);
    } catch (const ConnectError&) {
      return;  // stopped while reconnecting
    }
    source_client_ = source_.current(Clock::now());
    paused_ = false;
  }
}

const BridgeForwarder::Route* BridgeForwarder::route_for(const Message& message) const {
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (!routes_[i].filter.matches(message.topic)) continue;
    // Overlapping rules: an MQTT 5 broker sends one copy per subscription, each tagged with its
    // identifier (rule i has i + 1); only the copy of the first matching rule goes across.
    const auto& via = message.properties.subscription_identifiers;
    if (source_v5_ && routes_.size() > 1 && !via.empty() && via.front() != i + 1) return nullptr;
    return &routes_[i];
  }
  return nullptr;
}

void BridgeForwarder::forward(Message message) {
  if (paused_ && pause_leaves_unacknowledged_ && message.qos > 0) return;  // the broker resends it
  const Receipt source = Receipt::of(message);
  // Whatever is not published on the destination is final here: acknowledged at once.
  const auto done_with = [&] { acknowledge_source(std::span<const Receipt>(&source, 1)); };
  if (message.duplicate) ++counters_.duplicates;
  auto& user = message.properties.user_properties;
  if (!options_.origin_property.empty() &&
      std::find(user.begin(), user.end(),
                std::pair(options_.origin_property, options_.origin_value)) != user.end()) {
    ++counters_.echoes;
    done_with();
    return;
  }
  const Route* route = route_for(message);
  if (!route) {
    done_with();
    return;
  }
  if (route->rule.remap) message.topic = route->rule.remap->apply(message.topic);
  message.qos = std::min(message.qos, route->rule.qos);
  message.duplicate = false;
  message.properties.subscription_identifiers.clear();
  message.properties.topic_alias.reset();
  if (auto& expiry = message.properties.message_expiry_interval; expiry && message.received_at) {
    const auto waited = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now() - *message.received_at).count();
    if (waited >= static_cast<long long>(*expiry)) {
      ++counters_.expired;
      done_with();
      return;
    }
    *expiry -= static_cast<std::uint32_t>(std::max<long long>(waited, 0));
  }
  message.received_at.reset();
  if (!options_.origin_property.empty()) user.emplace_back(options_.origin_property, options_.origin_value);
  publish(std::move(message), source);
}

void BridgeForwarder::acknowledge_source(std::span<const Receipt> receipts) {
  // The source client may have been replaced since (a pause, a reconnect): its broker then
  // resends these, and this acknowledgement is ignored.
  if (source_client_ && !receipts.empty()) source_client_->acknowledge(receipts);
}

void BridgeForwarder::publish(Message message, Receipt source) {
  for (;;) {
    std::shared_ptr<Client> destination =
        destination_.current(draining_ ? deadline_.load() : far_future());
    if (!destination || destination_.stopped()) {
      ++undelivered_lost_;
      return;
    }
    try {
      std::future<PublishResult> ack = destination->publish(message, Write::batched);
      unflushed_ = std::move(destination);
      held_.push_back({std::move(message), std::move(ack), source});
      counters_.in_flight[index_] = held(source_client_);
      return;
    } catch (const UsageError&) {
      ++counters_.dropped;  // e.g. a remap that left an empty topic
      acknowledge_source(std::span<const Receipt>(&source, 1));
      return;
    } catch (const Error&) {
      // The link was closed under us (the other direction paused it): wait for the new client.
      destination_.wait_replaced(destination, milliseconds(50));
    }
  }
}

void BridgeForwarder::flush_destination() {
  if (unflushed_) std::exchange(unflushed_, nullptr)->flush();
}

void BridgeForwarder::settle_acknowledged() {
  settled_.clear();
  while (!held_.empty() && held_.front().ack.wait_for(milliseconds(0)) == std::future_status::ready) {
    Held done = std::move(held_.front());
    held_.pop_front();
    try {
      done.ack.get();
      ++counters_.forwarded[index_];
    } catch (const ProtocolError&) {
      ++counters_.dropped;  // refused by the destination: final
    } catch (const Error&) {
      if (done.message.qos > 0) {
        ++counters_.duplicates;  // it may have arrived before the connection went
        publish(std::move(done.message), done.source);
        continue;
      }
      ++counters_.dropped;  // at most once: not repeated
    }
    settled_.push_back(done.source);
  }
  acknowledge_source(settled_);
  counters_.in_flight[index_] = held(source_client_);
}

}  // namespace mqtk::detail
