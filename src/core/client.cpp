#include <mqtk/client.hpp>

#include <algorithm>

#include "core/client_impl.hpp"
#include "core/in_flight_window.hpp"
#include "core/thread_name.hpp"
#include <mqtk/error.hpp>
#include <mqtk/reason_code.hpp>
#include <mqtk/reconnect.hpp>
#include <mqtk/topic.hpp>

namespace mqtk {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

}  // namespace

Client::Impl::Impl(ClientOptions options)
    : options_(std::move(options)),
      client_id_(options_.client_id.empty() ? options_.effective_client_id() : options_.client_id),
      incoming_(options_.incoming) {
  if (!options_.clean_session && options_.client_id.empty())
    throw UsageError("a persistent session (clean session off) needs a client id");
  window_ = detail::in_flight_window(options_, std::nullopt);
  transport_ = detail::make_transport(options_, client_id_, *this);
  incoming_.set_yields_before_waiting(transport_->consumer_yields());
}

Client::Impl::~Impl() {
  bool needs_disconnect;
  {
    std::lock_guard lock(mutex_);
    needs_disconnect = state_ != State::closed && state_ != State::idle;
  }
  if (needs_disconnect) disconnect(options_.disconnect_timeout);
  stop();
  join_threads();
  // Before any member goes: ending the transport may still report pending operations here.
  transport_.reset();
}

void Client::Impl::start_threads() {
  if (!worker_.joinable()) worker_ = std::thread([this] {
    detail::name_this_thread("mqtk-worker");
    worker_loop();
  });
  if (!sender_.joinable()) sender_ = std::thread([this] {
    detail::name_this_thread("mqtk-sender");
    sender_loop();
  });
}

void Client::Impl::join_threads() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  worker_wakeup_.notify_all();
  sender_wakeup_.notify_all();
  state_changed_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (sender_.joinable()) sender_.join();
}

ConnectResult Client::Impl::connect() {
  Backoff backoff(options_.reconnect);
  for (;;) {
    try {
      ConnectResult result = connect_once();
      start_threads();
      return result;
    } catch (const ConnectError& error) {
      if (!options_.reconnect.enabled || !options_.reconnect.retry_initial_connect) throw;
      emit({ClientEventKind::reconnect_failed, error.what(), error.reason_code()});
      const milliseconds delay = backoff.next();
      emit({ClientEventKind::reconnecting, "", std::nullopt, delay});
      if (!wait_unless_stopped(delay)) throw;
    }
  }
}

ConnectResult Client::Impl::connect_once() {
  {
    std::lock_guard lock(mutex_);
    if (stop_) throw ConnectError("connect cancelled");
  }
  const ConnectResult result =
      transport_->connect(Clock::now() + options_.connect_timeout, [this] {
        std::lock_guard lock(mutex_);
        return stop_;
      });
  {
    std::lock_guard lock(mutex_);
    window_ = detail::in_flight_window(options_, result);
    state_ = State::connected;
    last_connect_ = result;
  }
  state_changed_.notify_all();
  sender_wakeup_.notify_all();
  return result;
}

std::size_t Client::Impl::disconnect(milliseconds grace) {
  const auto deadline = Clock::now() + grace;
  std::size_t unacknowledged = 0;
  transport_->flush();  // Write::batched publishes still held: their acknowledgements are awaited
  {
    std::unique_lock lock(mutex_);
    if (state_ == State::closed || state_ == State::idle) {
      state_ = State::closed;
      return 0;
    }
    // Let buffered and in-flight publishes finish (a reconnect may still happen meanwhile).
    const ProgressWaiter waiting(progress_waiters_);
    state_changed_.wait_until(lock, deadline, [&] {
      return outstanding_publishes_locked() == 0 || stop_ || state_ == State::closed;
    });
    unacknowledged = outstanding_publishes_locked();
    const bool was_connected = state_ == State::connected;
    state_ = State::closing;
    lock.unlock();
    state_changed_.notify_all();
    // No more deliveries: a network thread blocked on a full queue (OverflowPolicy::block, with
    // the consumer gone) would otherwise never let the transport finish. What is queued can
    // still be popped.
    incoming_.close();
    if (was_connected) transport_->disconnect();
  }
  fail_all_publishes("client disconnected before the broker acknowledged it");
  fail_pending_subscriptions("the client disconnected before the broker answered");
  {
    std::lock_guard lock(mutex_);
    state_ = State::closed;
  }
  join_threads();
  incoming_.close();
  return unacknowledged;
}

void Client::Impl::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  transport_->interrupt();
  state_changed_.notify_all();
  worker_wakeup_.notify_all();
  sender_wakeup_.notify_all();
  incoming_.close();
}

bool Client::Impl::is_connected() const {
  std::lock_guard lock(mutex_);
  return state_ == State::connected;
}

std::optional<ConnectResult> Client::Impl::connect_result() const {
  std::lock_guard lock(mutex_);
  return last_connect_;
}

void Client::Impl::set_event_handler(std::function<void(const ClientEvent&)> handler) {
  std::lock_guard lock(mutex_);
  event_handler_ = std::move(handler);
}

void Client::Impl::emit(const ClientEvent& event) {
  std::function<void(const ClientEvent&)> handler;
  {
    std::lock_guard lock(mutex_);
    handler = event_handler_;
  }
  if (handler) handler(event);
}

bool Client::Impl::wait_unless_stopped(milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !state_changed_.wait_for(lock, delay, [&] { return stop_; });
}

// ---- transport events: network thread, must not block ----

void Client::Impl::on_connection_lost(const std::string& cause) {
  post({WorkerEvent::Kind::connection_lost, cause.empty() ? "connection lost" : cause, {}});
}

void Client::Impl::on_broker_disconnect(int reason_code) {
  post({WorkerEvent::Kind::broker_disconnect, describe_reason_code(reason_code), reason_code});
}

void Client::Impl::post(WorkerEvent event) {
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::connected &&
        event.kind != WorkerEvent::Kind::publish_dropped)
      state_ = State::disconnected;
    worker_events_.push_back(std::move(event));
  }
  worker_wakeup_.notify_all();
  state_changed_.notify_all();
}

// ---- worker thread ----

void Client::Impl::worker_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto has_work = [&] { return stop_ || !worker_events_.empty(); };
    const auto liveness_period = state_ == State::connected ? transport_->liveness_period()
                                                            : std::nullopt;
    if (liveness_period) {
      if (!worker_wakeup_.wait_for(lock, *liveness_period, has_work)) {
        lock.unlock();
        transport_->check_liveness();
        lock.lock();
        continue;
      }
    } else {
      worker_wakeup_.wait(lock, has_work);
    }
    if (stop_) return;
    WorkerEvent event = std::move(worker_events_.front());
    worker_events_.pop_front();
    const bool closing = state_ == State::closing || state_ == State::closed;
    const bool already_reconnected = state_ == State::connected;
    lock.unlock();
    switch (event.kind) {
      case WorkerEvent::Kind::publish_dropped:
        emit({ClientEventKind::publish_dropped, event.detail, event.reason_code});
        break;
      case WorkerEvent::Kind::broker_disconnect:
      case WorkerEvent::Kind::connection_lost: {
        if (closing || already_reconnected) break;
        const bool by_broker = event.kind == WorkerEvent::Kind::broker_disconnect;
        emit({by_broker ? ClientEventKind::disconnected_by_broker : ClientEventKind::connection_lost,
              event.detail, event.reason_code});
        // paho never completes a SUBSCRIBE/UNSUBSCRIBE token whose ack the lost connection
        // swallowed (P11): fail them here, before reconnect_loop() resubscribes.
        fail_pending_subscriptions("connection lost before the broker answered: " + event.detail);
        // Fighting another client for the same id only makes both flap (RELIABILITY F16).
        const bool taken_over = event.reason_code == 0x8E;
        if (options_.reconnect.enabled && !taken_over) {
          reconnect_loop();
        } else {
          fail_all_publishes("connection lost: " + event.detail);
          {
            std::lock_guard state_lock(mutex_);
            state_ = State::closed;
          }
          state_changed_.notify_all();
          incoming_.close();
        }
        break;
      }
    }
    lock.lock();
  }
}

void Client::Impl::reconnect_loop() {
  Backoff backoff(options_.reconnect);
  for (;;) {
    const milliseconds delay = backoff.next();
    emit({ClientEventKind::reconnecting, "", std::nullopt, delay});
    if (!wait_unless_stopped(delay)) return;
    {
      std::lock_guard lock(mutex_);
      if (state_ == State::closing || state_ == State::closed) return;
    }
    try {
      const ConnectResult result = connect_once();
      emit({ClientEventKind::connected,
            result.session_present ? "session present" : "no session present", std::nullopt});
      if (!result.session_present) {
        resubscribe_all();
        if (!options_.clean_session)
          emit({ClientEventKind::session_lost,
                "the broker kept no session: messages published while disconnected may be missing",
                std::nullopt});
      }
      return;
    } catch (const Error& error) {
      emit({ClientEventKind::reconnect_failed, error.what(), error.reason_code()});
    }
  }
}

// ---- the public facade ----

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;
ConnectResult Client::connect() { return impl_->connect(); }
std::size_t Client::disconnect(milliseconds grace) { return impl_->disconnect(grace); }
void Client::stop() { impl_->stop(); }
std::future<SubscribeResult> Client::subscribe(std::vector<Subscription> subscriptions) {
  return impl_->subscribe(std::move(subscriptions));
}
std::future<void> Client::unsubscribe(std::vector<std::string> filters) {
  return impl_->unsubscribe(std::move(filters));
}
std::future<PublishResult> Client::publish(Message message, Write write) {
  return impl_->publish(std::move(message), write);
}
void Client::flush() { impl_->flush(); }
std::size_t Client::wait_for_publishes(milliseconds timeout) {
  return impl_->wait_for_publishes(timeout);
}
std::size_t Client::publishes_in_flight() const { return impl_->publishes_in_flight(); }
void Client::acknowledge(std::span<const Receipt> receipts) { impl_->acknowledge(receipts); }
MessageQueue& Client::messages() { return impl_->messages(); }
bool Client::is_connected() const { return impl_->is_connected(); }
const std::string& Client::client_id() const { return impl_->client_id(); }
std::optional<ConnectResult> Client::connect_result() const { return impl_->connect_result(); }
void Client::set_event_handler(std::function<void(const ClientEvent&)> handler) {
  impl_->set_event_handler(std::move(handler));
}

}  // namespace mqtk
