// Subscriptions: validated before anything is sent (a malformed filter makes mosquitto close
// the connection and paho's token never completes, RELIABILITY P11), remembered so that a
// reconnect without a session restores them, and every SUBACK reason code checked (P18).

#include <algorithm>

#include "core/client_impl.hpp"
#include <mqtk/error.hpp>
#include <mqtk/reason_code.hpp>
#include <mqtk/topic.hpp>

namespace mqtk {
namespace {


std::string refusal(int code, bool v5) {
  if (v5) return describe_reason_code(code);  // "not authorized (reason 0x87)"
  char buf[32];
  std::snprintf(buf, sizeof buf, "failure (SUBACK 0x%02X)", static_cast<unsigned>(code) & 0xFFu);
  return buf;
}

}  // namespace

std::future<SubscribeResult> Client::Impl::subscribe(std::vector<Subscription> subscriptions) {
  const bool v5 = options_.version == ProtocolVersion::v5;
  if (subscriptions.empty()) throw UsageError("subscribe needs at least one topic filter");
  for (const Subscription& s : subscriptions) {
    if (std::string problem = topic_filter_problem(s.filter); !problem.empty())
      throw UsageError("invalid topic filter '" + s.filter + "': " + problem);
    if (s.options.qos < 0 || s.options.qos > 2)
      throw UsageError("invalid QoS " + std::to_string(s.options.qos) + " (expected 0, 1 or 2)");
    const auto& o = s.options;
    if (o.retain_handling < 0 || o.retain_handling > 2)
      throw UsageError("invalid retain handling " + std::to_string(o.retain_handling) +
                       " (expected 0, 1 or 2)");
    if (!v5 && (o.no_local || o.retain_as_published || o.retain_handling != 0 ||
                o.subscription_identifier || !o.user_properties.empty()))
      throw UsageError("no-local, retain-as-published, retain-handling, subscription "
                       "identifiers and subscribe properties need MQTT 5 (-V 5)");
  }

  // Identifier and user properties belong to the SUBSCRIBE packet, not to a filter: filters
  // that ask for different ones go in packets of their own. So do filters with their own v5
  // options when the transport cannot carry those per filter (transport.hpp).
  const auto& front = subscriptions.front().options;
  const bool properties_differ =
      v5 && std::any_of(subscriptions.begin(), subscriptions.end(), [&front](const Subscription& s) {
        return s.options.subscription_identifier != front.subscription_identifier ||
               s.options.user_properties != front.user_properties;
      });
  const bool custom_options = v5 && std::any_of(subscriptions.begin(), subscriptions.end(),
                                                [](const Subscription& s) {
                                                  return s.options.no_local ||
                                                         s.options.retain_as_published ||
                                                         s.options.retain_handling != 0;
                                                });
  const bool split = properties_differ || (custom_options && !transport_->carries_per_filter_options());
  const std::size_t per_packet = split ? 1 : subscriptions.size();

  auto call = std::make_shared<SubscribeCall>();
  for (const Subscription& s : subscriptions) call->filters.push_back(s.filter);
  call->codes.assign(subscriptions.size(), 0);
  call->packets_left = (subscriptions.size() + per_packet - 1) / per_packet;
  std::future<SubscribeResult> result = call->promise.get_future();
  std::vector<std::uint64_t> ids;
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::connected) throw Error(ErrorCategory::runtime, "not connected");
    for (std::size_t first = 0; first < subscriptions.size(); first += per_packet) {
      ids.push_back(next_operation_id_++);
      const std::size_t count = std::min(per_packet, subscriptions.size() - first);
      pending_subscribes_.emplace(ids.back(), PendingSubscribe{call, first, count});
    }
    for (Subscription& s : subscriptions) {
      auto same = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                               [&](const Subscription& known) { return known.filter == s.filter; });
      if (same != subscriptions_.end()) *same = s;
      else subscriptions_.push_back(s);
    }
  }
  for (std::size_t packet = 0; packet < ids.size(); ++packet) {
    const std::size_t first = packet * per_packet;
    const std::size_t count = std::min(per_packet, subscriptions.size() - first);
    try {
      transport_->subscribe(ids[packet], std::span<const Subscription>(subscriptions).subspan(first, count));
    } catch (const detail::TransportRejected& e) {
      std::lock_guard lock(mutex_);
      for (std::size_t p = packet; p < ids.size(); ++p) pending_subscribes_.erase(ids[p]);
      if (packet == 0)
        throw Error(ErrorCategory::runtime, std::string("subscribe failed: ") + e.what());
      // Earlier packets are on their way: fail the call once, through its future.
      if (!call->settled) {
        call->settled = true;
        call->promise.set_exception(std::make_exception_ptr(
            Error(ErrorCategory::runtime, std::string("subscribe failed: ") + e.what())));
      }
      break;
    }
  }
  return result;
}

void Client::Impl::on_unsubscribe_done(std::uint64_t id, std::string failure) {
  std::promise<void> promise;
  {
    std::lock_guard lock(mutex_);
    auto unsubscribed = pending_unsubscribes_.find(id);
    if (unsubscribed == pending_unsubscribes_.end()) return;
    promise = std::move(unsubscribed->second);
    pending_unsubscribes_.erase(unsubscribed);
  }
  if (failure.empty())
    promise.set_value();
  else
    promise.set_exception(std::make_exception_ptr(Error(ErrorCategory::runtime, failure)));
}

void Client::Impl::on_subscribe_done(std::uint64_t id, detail::SubscribeOutcome outcome) {
  const bool v5 = options_.version == ProtocolVersion::v5;
  std::lock_guard lock(mutex_);
  auto it = pending_subscribes_.find(id);
  if (it == pending_subscribes_.end()) return;
  const PendingSubscribe pending = std::move(it->second);
  pending_subscribes_.erase(it);
  SubscribeCall& call = *pending.call;
  if (!outcome.answered || outcome.codes.size() != pending.count) {
    if (!call.settled) {
      call.settled = true;
      call.promise.set_exception(std::make_exception_ptr(Error(
          ErrorCategory::runtime,
          outcome.answered ? "subscribe failed: the SUBACK carries " + std::to_string(outcome.codes.size()) +
                                 " codes for " + std::to_string(pending.count) + " filters"
                           : outcome.failure)));
    }
    return;
  }
  for (std::size_t i = 0; i < pending.count; ++i) call.codes[pending.first + i] = outcome.codes[i];
  if (--call.packets_left > 0 || call.settled) return;
  call.settled = true;
  for (std::size_t i = 0; i < call.codes.size(); ++i) {
    if (call.codes[i] >= 0x80) {
      call.promise.set_exception(std::make_exception_ptr(ProtocolError(
          "the broker refused the subscription to '" + call.filters[i] + "': " +
              refusal(call.codes[i], v5),
          call.codes[i])));
      return;
    }
  }
  call.promise.set_value(SubscribeResult{call.codes});
}

std::future<void> Client::Impl::unsubscribe(std::vector<std::string> filters) {
  for (const std::string& f : filters)
    if (std::string problem = topic_filter_problem(f); !problem.empty())
      throw UsageError("invalid topic filter '" + f + "': " + problem);
  if (filters.empty()) throw UsageError("unsubscribe needs at least one topic filter");
  // A promise completed by the UNSUBACK, like subscribe(). This was a std::launch::deferred
  // future, whose wait_for() returns `deferred` at once and never becomes ready: every caller
  // waiting with a timeout saw a timeout.
  std::uint64_t id;
  std::future<void> result;
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::connected) throw Error(ErrorCategory::runtime, "not connected");
    std::erase_if(subscriptions_, [&](const Subscription& s) {
      return std::find(filters.begin(), filters.end(), s.filter) != filters.end();
    });
    id = next_operation_id_++;
    result = pending_unsubscribes_[id].get_future();
  }
  try {
    transport_->unsubscribe(id, filters);
  } catch (const detail::TransportRejected& e) {
    std::lock_guard lock(mutex_);
    pending_unsubscribes_.erase(id);
    throw Error(ErrorCategory::runtime, std::string("unsubscribe failed: ") + e.what());
  }
  return result;
}

void Client::Impl::fail_pending_subscriptions(const std::string& why) {
  std::map<std::uint64_t, PendingSubscribe> subscribes;
  std::map<std::uint64_t, std::promise<void>> unsubscribes;
  {
    std::lock_guard lock(mutex_);
    subscribes.swap(pending_subscribes_);
    unsubscribes.swap(pending_unsubscribes_);
    for (auto& [id, pending] : subscribes) {
      if (pending.call->settled) continue;
      pending.call->settled = true;
      pending.call->promise.set_exception(
          std::make_exception_ptr(Error(ErrorCategory::runtime, "subscribe failed: " + why)));
    }
  }
  for (auto& [id, promise] : unsubscribes)
    promise.set_exception(
        std::make_exception_ptr(Error(ErrorCategory::runtime, "unsubscribe failed: " + why)));
}

void Client::Impl::resubscribe_all() {
  std::vector<Subscription> known;
  {
    std::lock_guard lock(mutex_);
    known = subscriptions_;
  }
  if (known.empty()) return;
  std::size_t restored = 0;
  for (Subscription& s : known) {
    try {
      auto done = subscribe({s});
      if (done.wait_for(options_.connect_timeout) == std::future_status::ready) {
        done.get();
        ++restored;
      } else {
        emit({ClientEventKind::reconnect_failed, "no SUBACK restoring '" + s.filter + "'", {}});
      }
    } catch (const std::exception& e) {
      emit({ClientEventKind::reconnect_failed, e.what(), {}});
    }
  }
  emit({ClientEventKind::resubscribed,
        std::to_string(restored) + " of " + std::to_string(known.size()) + " subscriptions restored",
        {}});
}

}  // namespace mqtk
