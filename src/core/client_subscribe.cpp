// Subscriptions: validated before anything is sent (a malformed filter makes mosquitto close
// the connection and the paho token never completes, RELIABILITY P11), remembered so that a
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
  // that ask for different ones go in packets of their own.
  const auto packet_properties = [v5](const Subscription& s) {
    mqtt::properties props;
    if (!v5) return props;
    if (s.options.subscription_identifier)
      props.add({mqtt::property::SUBSCRIPTION_IDENTIFIER,
                 static_cast<int32_t>(*s.options.subscription_identifier)});
    for (const auto& [key, value] : s.options.user_properties)
      props.add({mqtt::property::USER_PROPERTY, key, value});
    return props;
  };
  const auto& front = subscriptions.front().options;
  const bool properties_differ =
      v5 && std::any_of(subscriptions.begin(), subscriptions.end(), [&front](const Subscription& s) {
        return s.options.subscription_identifier != front.subscription_identifier ||
               s.options.user_properties != front.user_properties;
      });
  const auto paho_options_of = [](const Subscription& s) {
    return mqtt::subscribe_options(
        s.options.no_local, s.options.retain_as_published,
        static_cast<mqtt::subscribe_options::RetainHandling>(s.options.retain_handling));
  };
  // paho.mqtt.cpp 1.2 loses the per-filter v5 options of a multi-filter SUBSCRIBE
  // (response_options' copy constructor drops the list; paho.mqtt.cpp#524) and paho.mqtt.c then
  // dereferences the dangling list: a crash. Without such options the list is left empty (all
  // defaults, no crash); with them, each filter goes in a SUBSCRIBE of its own.
  const bool custom_options = v5 && std::any_of(subscriptions.begin(), subscriptions.end(),
                                                [](const Subscription& s) {
                                                  return s.options.no_local ||
                                                         s.options.retain_as_published ||
                                                         s.options.retain_handling != 0;
                                                });
  const std::size_t per_packet = custom_options || properties_differ ? 1 : subscriptions.size();

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
    const mqtt::properties props = packet_properties(subscriptions[first]);
    try {
      if (count == 1) {
        // paho.mqtt.c takes a one-filter SUBSCRIBE's v5 options from `subscribeOptions`, never
        // from the list (MQTTAsync_subscribeMany, 1.3.12): the collection overload dropped
        // no-local, retain-as-published and retain handling here.
        const Subscription& s = subscriptions[first];
        paho_->subscribe(s.filter, s.options.qos, as_context(ids[packet]), subscribe_listener_,
                         paho_options_of(s), props);
      } else {
        auto filters = std::make_shared<mqtt::string_collection>();
        mqtt::iasync_client::qos_collection qos;
        for (std::size_t i = first; i < first + count; ++i) {
          filters->push_back(subscriptions[i].filter);
          qos.push_back(subscriptions[i].options.qos);
        }
        paho_->subscribe(filters, qos, as_context(ids[packet]), subscribe_listener_,
                         std::vector<mqtt::subscribe_options>(), props);
      }
    } catch (const mqtt::exception& e) {
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

void Client::Impl::on_subscribe_done(const mqtt::token& token, bool succeeded) {
  // Runs on paho's thread: no exception may escape into the C library (P14).
  try {
    const std::uint64_t id = from_context(token.get_user_context());
    const bool v5 = options_.version == ProtocolVersion::v5;
    std::unique_lock lock(mutex_);
    if (auto unsubscribed = pending_unsubscribes_.find(id);
        unsubscribed != pending_unsubscribes_.end()) {
      std::promise<void> promise = std::move(unsubscribed->second);
      pending_unsubscribes_.erase(unsubscribed);
      lock.unlock();
      if (succeeded)
        promise.set_value();
      else
        promise.set_exception(std::make_exception_ptr(Error(
            ErrorCategory::runtime,
            "unsubscribe failed (" + mqtt::exception::error_str(token.get_return_code()) + ")")));
      return;
    }
    auto it = pending_subscribes_.find(id);
    if (it == pending_subscribes_.end()) return;
    const PendingSubscribe pending = std::move(it->second);
    pending_subscribes_.erase(it);
    SubscribeCall& call = *pending.call;

    std::vector<int> codes;
    if (succeeded) {
      const mqtt::subscribe_response response = token.get_subscribe_response();
      for (auto code : response.get_reason_codes()) codes.push_back(static_cast<int>(code));
    } else {
      // A refused one-filter SUBSCRIBE arrives as a failure. v5: the reason code (0x87...).
      // v3.1.1: paho.mqtt.cpp 1.2 puts 0xFF in the reason code and paho.mqtt.c's 0x80 in the
      // return code, so the return code is the one to read (was: "SUBACK 0xFF" for 0x80).
      const int reason = static_cast<int>(token.get_reason_code());
      const int code = v5 && reason != 0 ? reason : token.get_return_code();
      if (code >= 0x80 && pending.count == 1) {
        codes.push_back(code);
      } else {
        if (!call.settled) {
          call.settled = true;
          call.promise.set_exception(std::make_exception_ptr(Error(
              ErrorCategory::runtime,
              "subscribe failed (" + mqtt::exception::error_str(token.get_return_code()) + ")")));
        }
        return;
      }
    }
    for (std::size_t i = 0; i < codes.size() && i < pending.count; ++i)
      call.codes[pending.first + i] = codes[i];
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
  } catch (...) {
    // A broken promise is reported to the waiting caller by its future.
  }
}

std::future<void> Client::Impl::unsubscribe(std::vector<std::string> filters) {
  for (const std::string& f : filters)
    if (std::string problem = topic_filter_problem(f); !problem.empty())
      throw UsageError("invalid topic filter '" + f + "': " + problem);
  if (filters.empty()) throw UsageError("unsubscribe needs at least one topic filter");
  auto collection = std::make_shared<mqtt::string_collection>();
  for (const std::string& f : filters) collection->push_back(f);
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
    paho_->unsubscribe(collection, as_context(id), subscribe_listener_);
  } catch (const mqtt::exception& e) {
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
