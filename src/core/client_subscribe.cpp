// Subscriptions: validated before anything is sent (a malformed filter makes mosquitto close
// the connection and the paho token never completes, RELIABILITY P11), remembered so that a
// reconnect without a session restores them, and every SUBACK reason code checked (P18).

#include <algorithm>

#include "core/client_impl.hpp"
#include "core/error.hpp"
#include "core/reason_code.hpp"
#include "core/topic.hpp"

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
    if (!v5 && (o.no_local || o.retain_as_published || o.retain_handling != 0 ||
                o.subscription_identifier || !o.user_properties.empty()))
      throw UsageError("no-local, retain-as-published, retain-handling, subscription "
                       "identifiers and subscribe properties need MQTT 5 (-V 5)");
  }

  auto filters = std::make_shared<mqtt::string_collection>();
  mqtt::iasync_client::qos_collection qos;
  std::vector<mqtt::subscribe_options> paho_options;
  for (const Subscription& s : subscriptions) {
    filters->push_back(s.filter);
    qos.push_back(s.options.qos);
    paho_options.emplace_back(
        s.options.no_local, s.options.retain_as_published,
        static_cast<mqtt::subscribe_options::RetainHandling>(s.options.retain_handling));
  }
  // Identifier and user properties belong to the SUBSCRIBE packet: the first one's apply.
  mqtt::properties props;
  if (v5) {
    const auto& first = subscriptions.front().options;
    if (first.subscription_identifier)
      props.add({mqtt::property::SUBSCRIPTION_IDENTIFIER,
                 static_cast<int32_t>(*first.subscription_identifier)});
    for (const auto& [key, value] : first.user_properties)
      props.add({mqtt::property::USER_PROPERTY, key, value});
  }

  std::uint64_t id;
  std::future<SubscribeResult> result;
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::connected) throw Error(ErrorCategory::runtime, "not connected");
    id = next_operation_id_++;
    PendingSubscribe pending;
    for (const Subscription& s : subscriptions) pending.filters.push_back(s.filter);
    result = pending.promise.get_future();
    pending_subscribes_.emplace(id, std::move(pending));
    for (Subscription& s : subscriptions) {
      auto same = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                               [&](const Subscription& known) { return known.filter == s.filter; });
      if (same != subscriptions_.end()) *same = s;
      else subscriptions_.push_back(s);
    }
  }
  try {
    paho_->subscribe(filters, qos, as_context(id), subscribe_listener_, paho_options, props);
  } catch (const mqtt::exception& e) {
    std::lock_guard lock(mutex_);
    pending_subscribes_.erase(id);
    throw Error(ErrorCategory::runtime, std::string("subscribe failed: ") + e.what());
  }
  return result;
}

void Client::Impl::on_subscribe_done(const mqtt::token& token, bool succeeded) {
  // Runs on paho's thread: no exception may escape into the C library (P14).
  try {
    PendingSubscribe pending;
    {
      std::lock_guard lock(mutex_);
      auto it = pending_subscribes_.find(from_context(token.get_user_context()));
      if (it == pending_subscribes_.end()) return;
      pending = std::move(it->second);
      pending_subscribes_.erase(it);
    }
    const bool v5 = options_.version == ProtocolVersion::v5;
    std::vector<int> codes;
    if (succeeded) {
      const mqtt::subscribe_response response = token.get_subscribe_response();
      for (auto code : response.get_reason_codes()) codes.push_back(static_cast<int>(code));
    } else {
      const int code = token.get_reason_code() ? static_cast<int>(token.get_reason_code())
                                               : token.get_return_code();
      if (code >= 0x80 && pending.filters.size() == 1) {
        codes.push_back(code);
      } else {
        pending.promise.set_exception(std::make_exception_ptr(Error(
            ErrorCategory::runtime,
            "subscribe failed (" + mqtt::exception::error_str(token.get_return_code()) + ")")));
        return;
      }
    }
    for (std::size_t i = 0; i < codes.size() && i < pending.filters.size(); ++i) {
      if (codes[i] >= 0x80) {
        pending.promise.set_exception(std::make_exception_ptr(ProtocolError(
            "the broker refused the subscription to '" + pending.filters[i] + "': " +
                refusal(codes[i], v5),
            codes[i])));
        return;
      }
    }
    pending.promise.set_value(SubscribeResult{std::move(codes)});
  } catch (...) {
    // A broken promise is reported to the waiting caller by its future.
  }
}

std::future<void> Client::Impl::unsubscribe(std::vector<std::string> filters) {
  for (const std::string& f : filters)
    if (std::string problem = topic_filter_problem(f); !problem.empty())
      throw UsageError("invalid topic filter '" + f + "': " + problem);
  {
    std::lock_guard lock(mutex_);
    std::erase_if(subscriptions_, [&](const Subscription& s) {
      return std::find(filters.begin(), filters.end(), s.filter) != filters.end();
    });
  }
  auto collection = std::make_shared<mqtt::string_collection>();
  for (const std::string& f : filters) collection->push_back(f);
  mqtt::token_ptr token;
  try {
    token = paho_->unsubscribe(collection);
  } catch (const mqtt::exception& e) {
    throw Error(ErrorCategory::runtime, std::string("unsubscribe failed: ") + e.what());
  }
  // Unsubscribe is rare: a short-lived waiter is simpler than another listener.
  return std::async(std::launch::deferred, [token, timeout = options_.connect_timeout] {
    if (!token->wait_for(timeout)) throw TimeoutError("no UNSUBACK from the broker");
    token->wait();
  });
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
