#include <mqtk/client.hpp>

#include <algorithm>

#include "core/client_impl.hpp"
#include <mqtk/error.hpp>
#include "core/network_diagnosis.hpp"
#include "core/paho_convert.hpp"
#include <mqtk/reason_code.hpp>
#include <mqtk/reconnect.hpp>
#include <mqtk/topic.hpp>

namespace mqtk {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Whether a connect paho still runs past our deadline ends with a CONNACK before paho's own
// timeout does (at most 1 s later, plus its timeout check's granularity).
bool paho_accepted_late(mqtt::token& connecting) {
  try {
    return connecting.wait_for(milliseconds(2000));
  } catch (const mqtt::exception&) {
    return false;  // paho's own timeout, or the connection failed
  }
}

// Server URI paho connects to: always the broker itself, so TLS checks the broker's name. Any
// proxy, SOCKS5 included, reaches paho as its HTTP proxy option instead (proxy_route.hpp).
std::string server_uri(const ClientOptions& options) { return options.broker.paho_uri(); }

}  // namespace

Client::Impl::Impl(ClientOptions options)
    : options_(std::move(options)),
      client_id_(options_.client_id.empty() ? options_.effective_client_id() : options_.client_id),
      incoming_(options_.incoming),
      route_(options_),
      publish_listener_([this](const mqtt::token& t, bool ok) { on_publish_done(t, ok); }),
      subscribe_listener_([this](const mqtt::token& t, bool ok) { on_subscribe_done(t, ok); }) {
  if (!options_.clean_session && options_.client_id.empty())
    throw UsageError("a persistent session (clean session off) needs a client id");
  window_ = std::max<std::size_t>(options_.max_inflight, 1);
  // No persistence object: paho keeps state in memory, never in files in the CWD (P20).
  paho_ = std::make_unique<mqtt::async_client>(server_uri(options_), client_id_,
                                               detail::make_create_options(options_), nullptr);
  paho_->set_message_callback([this](mqtt::const_message_ptr msg) {
    if (msg) incoming_.push(detail::from_paho_message(*msg));
  });
  paho_->set_connection_lost_handler([this](const std::string& cause) { on_connection_lost(cause); });
  paho_->set_disconnected_handler(
      [this](const mqtt::properties&, mqtt::ReasonCode reason) { on_broker_disconnect(reason); });
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
  try {
    // No delivery into members that are about to go; paho refuses this while a connect is
    // still in flight, and nothing may escape a destructor.
    paho_->set_message_callback(nullptr);
  } catch (const mqtt::exception&) {
  }
  // Destroyed here, not as a member: MQTTAsync_destroy fails every still-pending token, which
  // runs our listeners and takes mutex_. Those members are declared after paho_, so they were
  // already gone when it was destroyed implicitly (a SIGSEGV in token::on_failure under ASan).
  paho_.reset();
}

void Client::Impl::start_threads() {
  if (!worker_.joinable()) worker_ = std::thread([this] { worker_loop(); });
  if (!sender_.joinable()) sender_ = std::thread([this] { sender_loop(); });
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
  std::string uri = display_uri(options_.broker);
  if (const std::string proxy = route_.proxy_display(); !proxy.empty())
    uri += " through proxy " + proxy;
  const detail::SocketSnapshot sockets_before = detail::snapshot_sockets();
  mqtt::token_ptr token;
  try {
    // Built afresh for every connect and passed as a prvalue: paho.mqtt.cpp 1.2 corrupts v5
    // properties when connect_options are copied, and keeps no copy of its own (P21).
    token = paho_->connect(detail::make_connect_options(options_, route_.paho_proxy()));
  } catch (const mqtt::exception& e) {
    throw ConnectError(detail::describe_connect_failure(e.get_return_code(), e.get_reason_code(),
                                                        options_.version, uri, "", e.what()));
  }
  const auto deadline = Clock::now() + options_.connect_timeout;
  try {
    // Poll in short steps so stop() (SIGINT) is honoured while a connect hangs.
    while (!token->wait_for(milliseconds(50))) {
      bool stopped;
      {
        std::lock_guard lock(mutex_);
        stopped = stop_;
      }
      if (stopped) throw ConnectError("connect to " + uri + " cancelled");
      if (Clock::now() >= deadline) {
        // paho.mqtt.c 1.3.12 goes on with the attempt until its own timeout (ours plus 1 s,
        // make_connect_options). Were it left running, a CONNACK in that second would make
        // paho connected while the attempt counts as failed here, and paho ignores every later
        // connect(): the client would never reconnect (seen through FaultProxy, a bridge side
        // whose reconnect took just over its 2 s --to-connect-timeout stayed down for good).
        // So paho's verdict is awaited: a late CONNACK is a success, else it gave up too.
        if (paho_accepted_late(*token)) break;
        throw ConnectError("could not connect to " + uri + ": no CONNACK within " +
                           std::to_string(options_.connect_timeout.count()) + " ms");
      }
    }
    token->wait();
  } catch (const mqtt::exception& e) {
    std::string detail = e.what();
    std::string tls_error;
    if (e.get_return_code() == MQTTASYNC_FAILURE && !route_.proxy_display().empty()) {
      // Through a proxy only that path can say what failed; probing the broker directly would
      // test a route this client does not take.
      if (std::string why = route_.diagnose_failure(milliseconds(2000)); !why.empty()) detail = why;
    } else if (e.get_return_code() == MQTTASYNC_FAILURE) {
      // paho says only "TCP/TLS connect failure": find out which (see network_diagnosis.hpp).
      std::string why = diagnose_tcp_connect(options_.broker.host, options_.broker.port,
                                             milliseconds(2000));
      if (!why.empty()) detail = why;
      else if (uses_tls(options_)) tls_error = diagnose_tls_handshake(options_, milliseconds(2000));
    }
    throw ConnectError(detail::describe_connect_failure(e.get_return_code(), e.get_reason_code(),
                                                        options_.version, uri, tls_error, detail),
                       e.get_reason_code() ? std::optional<int>(e.get_reason_code())
                                           : std::optional<int>(e.get_return_code()));
  }
  ConnectResult result = detail::make_connect_result(token->get_connect_response(), client_id_);
  {
    std::lock_guard lock(mutex_);
    window_ = std::max<std::size_t>(options_.max_inflight, 1);
    if (result.receive_maximum) window_ = std::min<std::size_t>(window_, *result.receive_maximum);
    state_ = State::connected;
    last_connect_ = result;
    liveness_ = detail::LivenessWatch::find(
        sockets_before, route_.paho_peer_port(),
        detail::LivenessWatch::silence_limit(std::chrono::seconds(options_.keepalive_s)));
    liveness_cut_.clear();
  }
  state_changed_.notify_all();
  sender_wakeup_.notify_all();
  return result;
}

std::size_t Client::Impl::disconnect(milliseconds grace) {
  const auto deadline = Clock::now() + grace;
  std::size_t unacknowledged = 0;
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
    if (was_connected) {
      try {
        // Our own wait above already let acknowledgements arrive; a quiesce timeout in paho
        // would only add its polling delay to every exit.
        auto token = paho_->disconnect(0);
        token->wait_for(milliseconds(2000));
      } catch (const mqtt::exception&) {
        // Already gone: nothing more to say to the broker.
      }
      // Through a relay our own thread still carries paho's last bytes (the DISCONNECT, a QoS 0
      // PUBLISH); callers may _Exit right after this returns (proxy_route.hpp).
      route_.flush(milliseconds(1000));
    }
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

// ---- paho callbacks: network thread, must not block ----

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
    if (event.kind == WorkerEvent::Kind::connection_lost && !liveness_cut_.empty()) {
      event.detail = std::move(liveness_cut_);
      liveness_cut_.clear();
    }
    if (event.kind != WorkerEvent::Kind::publish_dropped) liveness_ = {};
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
    if (liveness_.active() && state_ == State::connected) {
      const auto period = detail::LivenessWatch::check_period(std::chrono::seconds(options_.keepalive_s));
      if (!worker_wakeup_.wait_for(lock, period, has_work)) {
        check_liveness_locked();
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

void Client::Impl::check_liveness_locked() {
  if (state_ != State::connected || !liveness_.stalled()) return;
  liveness_cut_ = liveness_.describe_stall(std::chrono::seconds(options_.keepalive_s));
  liveness_.cut();  // paho sees the stream end and reports the loss; post() uses liveness_cut_
  liveness_ = {};
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
std::future<PublishResult> Client::publish(Message message) {
  return impl_->publish(std::move(message));
}
std::size_t Client::wait_for_publishes(milliseconds timeout) {
  return impl_->wait_for_publishes(timeout);
}
std::size_t Client::publishes_in_flight() const { return impl_->publishes_in_flight(); }
MessageQueue& Client::messages() { return impl_->messages(); }
bool Client::is_connected() const { return impl_->is_connected(); }
const std::string& Client::client_id() const { return impl_->client_id(); }
std::optional<ConnectResult> Client::connect_result() const { return impl_->connect_result(); }
void Client::set_event_handler(std::function<void(const ClientEvent&)> handler) {
  impl_->set_event_handler(std::move(handler));
}

}  // namespace mqtk
