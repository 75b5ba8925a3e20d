// The publish path. publish() only validates and queues (bounded: it waits while the buffer is
// full, which is the backpressure `pub -l` needs). The sender thread hands messages to the transport in
// order while connected, never more than the in-flight window (max_inflight, lowered to the
// broker's receive maximum). A publish stays ours until the transport reports it acknowledged:
// when the connection drops first and reconnect is on, it goes back into the buffer and is sent
// again after the reconnect (at least once), since paho drops in-flight state on a clean
// session (RELIABILITY P4). A broker refusal (reason >= 0x80) is final: never requeued (F12).

#include <algorithm>

#include "core/client_impl.hpp"
#include <mqtk/error.hpp>
#include <mqtk/reason_code.hpp>
#include <mqtk/topic.hpp>

namespace mqtk {

std::future<PublishResult> Client::Impl::publish(Message message, Write write) {
  if (std::string problem = topic_name_problem(message.topic); !problem.empty())
    throw UsageError("invalid topic '" + message.topic + "': " + problem);
  if (message.qos < 0 || message.qos > 2)
    throw UsageError("invalid QoS " + std::to_string(message.qos) + " (expected 0, 1 or 2)");
  PendingPublish pending{std::make_shared<const Message>(std::move(message)), {}};
  std::future<PublishResult> result = pending.promise.get_future();
  std::uint64_t id = 0;
  std::shared_ptr<const Message> direct;
  {
    std::unique_lock lock(mutex_);
    const std::size_t capacity = window_ + std::max<std::size_t>(options_.max_buffered_publishes, 1);
    const ProgressWaiter waiting(progress_waiters_);
    // While connected with nothing buffered, the caller sends itself (no thread hop); a full
    // window makes it wait until half the window is acknowledged, so one wake-up admits many.
    auto sends_directly = [&] { return state_ == State::connected && buffered_.empty() && !sender_busy_; };
    const auto may_go_on = [&] {
      if (stop_ || state_ == State::closed || state_ == State::closing) return true;
      if (sends_directly()) return in_flight_.size() < window_;
      return outstanding_publishes_locked() < capacity;
    };
    if (!may_go_on()) {
      // What earlier Write::batched publishes left unwritten must go out first: their
      // acknowledgements are what frees the window.
      lock.unlock();
      transport_->flush();
      lock.lock();
    }
    state_changed_.wait(lock, may_go_on);
    if (stop_ || state_ == State::closed || state_ == State::closing)
      throw Error(ErrorCategory::runtime, "the client is shutting down");
    if (state_ != State::connected && !options_.reconnect.enabled)
      throw Error(ErrorCategory::runtime, "not connected");
    id = next_operation_id_++;
    if (sends_directly()) {
      direct = pending.message;
      in_flight_.emplace(id, std::move(pending));
    } else {
      buffered_.emplace(id, std::move(pending));
      if (!sender_waiting_) return result;
    }
  }
  if (direct) {
    hand_to_transport(id, std::move(direct), write);
  } else {
    sender_wakeup_.notify_one();
  }
  return result;
}

void Client::Impl::flush() { transport_->flush(); }

void Client::Impl::hand_to_transport(std::uint64_t id, std::shared_ptr<const Message> message,
                                     Write write) {
  try {
    transport_->publish(id, std::move(message), write);
  } catch (const detail::TransportRejected& e) {
    // Not accepted by the transport (e.g. disconnected a moment ago): back into the buffer, or failed at
    // once when there is no reconnect to wait for.
    std::lock_guard relock(mutex_);
    auto node = in_flight_.extract(id);
    if (node.empty()) return;
    if (options_.reconnect.enabled && state_ != State::closing && state_ != State::closed) {
      buffered_.insert(std::move(node));
    } else {
      node.mapped().promise.set_exception(std::make_exception_ptr(
          Error(ErrorCategory::runtime, std::string("publish failed: ") + e.what())));
    }
    state_changed_.notify_all();
  }
}

void Client::Impl::sender_loop() {
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const Message>>> batch;
  std::unique_lock lock(mutex_);
  for (;;) {
    sender_waiting_ = true;
    sender_wakeup_.wait(lock, [&] {
      return stop_ || (state_ == State::connected && !buffered_.empty() &&
                       in_flight_.size() < window_);
    });
    sender_waiting_ = false;
    if (stop_) return;
    batch.clear();
    while (!buffered_.empty() && in_flight_.size() < window_) {
      auto node = buffered_.extract(buffered_.begin());
      batch.emplace_back(node.key(), node.mapped().message);
      in_flight_.insert(std::move(node));
    }
    sender_busy_ = true;  // publish() must not overtake what this batch carries
    lock.unlock();
    // One write for the whole batch: every packet but the last waits for it.
    for (std::size_t i = 0; i < batch.size(); ++i)
      hand_to_transport(batch[i].first, std::move(batch[i].second),
                        i + 1 < batch.size() ? Write::batched : Write::now);
    lock.lock();
    sender_busy_ = false;
    if (buffered_.empty() && progress_waiters_ > 0) state_changed_.notify_all();
  }
}

void Client::Impl::on_publish_done(std::uint64_t id, detail::PublishOutcome outcome) {
  using Kind = detail::PublishOutcome::Kind;
  std::unique_lock lock(mutex_);
  auto node = in_flight_.extract(id);
  if (node.empty()) return;
  PendingPublish& pending = node.mapped();
  const Message& message = *pending.message;
  if (outcome.kind == Kind::acknowledged) {
    pending.promise.set_value(PublishResult{outcome.reason_code});
  } else if (outcome.kind == Kind::refused) {  // the broker refused it: final
    const int reason = outcome.reason_code.value_or(0x80);
    pending.promise.set_exception(std::make_exception_ptr(ProtocolError(
        "the broker refused the message to '" + message.topic + "': " + describe_reason_code(reason),
        reason)));
    worker_events_.push_back({WorkerEvent::Kind::publish_dropped,
                              "'" + message.topic + "': " + describe_reason_code(reason), reason});
    worker_wakeup_.notify_all();
  } else if (options_.reconnect.enabled && message.qos > 0 && state_ != State::closing &&
             state_ != State::closed) {
    // QoS>0 is at least once: sent again after the reconnect. QoS 0 is at most once: a
    // message cut off by the connection loss fails instead of being repeated.
    buffered_.insert(std::move(node));  // the key keeps its original place in the order
  } else {
    pending.promise.set_exception(std::make_exception_ptr(Error(
        ErrorCategory::runtime, "publish to '" + message.topic + "' failed: " + outcome.detail)));
  }
  const bool wake_waiters =
      progress_waiters_ > 0 && (in_flight_.size() <= window_ / 2 || !buffered_.empty() ||
                                in_flight_.empty());
  const bool wake_sender = sender_waiting_ && !buffered_.empty();
  lock.unlock();
  if (wake_waiters) state_changed_.notify_all();
  if (wake_sender) sender_wakeup_.notify_one();
}

void Client::Impl::fail_all_publishes(const std::string& why) {
  std::map<std::uint64_t, PendingPublish> failed;
  {
    std::lock_guard lock(mutex_);
    failed.merge(buffered_);
    failed.merge(in_flight_);
  }
  for (auto& [id, pending] : failed)
    pending.promise.set_exception(std::make_exception_ptr(TimeoutError(why)));
  state_changed_.notify_all();
}

std::size_t Client::Impl::wait_for_publishes(std::chrono::milliseconds timeout) {
  transport_->flush();  // what Write::batched left in the output is part of "so far"
  std::unique_lock lock(mutex_);
  const ProgressWaiter waiting(progress_waiters_);
  state_changed_.wait_for(lock, timeout, [&] {
    return outstanding_publishes_locked() == 0 || stop_ || state_ == State::closed;
  });
  return outstanding_publishes_locked();
}

std::size_t Client::Impl::publishes_in_flight() const {
  std::lock_guard lock(mutex_);
  return outstanding_publishes_locked();
}

}  // namespace mqtk
