// The paho.mqtt.cpp engine behind Client (transport.hpp): it reaches every broker the options
// describe (TLS, websockets, HTTP and SOCKS5 proxies) and maps paho's tokens, callbacks and
// quirks onto TransportEvents. The RELIABILITY-NOTES pitfalls (P-numbers) it works around are
// named where it does.

#include <map>
#include <mutex>

#include <mqtt/async_client.h>

#include "core/liveness_watch.hpp"
#include "core/network_diagnosis.hpp"
#include "core/paho_convert.hpp"
#include "core/proxy_route.hpp"
#include "core/transport.hpp"
#include <mqtk/error.hpp>

namespace mqtk::detail {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Forwards paho's action callbacks to one function; the token's user context says which
// operation finished.
class ActionListener final : public mqtt::iaction_listener {
 public:
  using Handler = std::function<void(const mqtt::token&, bool succeeded)>;
  explicit ActionListener(Handler handler) : handler_(std::move(handler)) {}
  void on_success(const mqtt::token& token) override { handler_(token, true); }
  void on_failure(const mqtt::token& token) override { handler_(token, false); }

 private:
  Handler handler_;
};

// paho carries a void* user context through each operation; ours is the operation's number.
void* as_context(std::uint64_t id) {
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>(id));
}
std::uint64_t from_context(void* context) {
  return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(context));
}

// Whether a connect paho still runs past our deadline ends with a CONNACK before paho's own
// timeout does (at most 1 s later, plus its timeout check's granularity).
bool paho_accepted_late(mqtt::token& connecting) {
  try {
    return connecting.wait_for(milliseconds(2000));
  } catch (const mqtt::exception&) {
    return false;  // paho's own timeout, or the connection failed
  }
}

class PahoTransport final : public Transport {
 public:
  PahoTransport(const ClientOptions& options, const std::string& client_id, TransportEvents& events);
  ~PahoTransport() override;

  ConnectResult connect(Clock::time_point deadline, const std::function<bool()>& cancelled) override;
  void disconnect() noexcept override;
  // paho writes on its own thread: Write::batched changes nothing.
  void publish(std::uint64_t id, std::shared_ptr<const Message> message, Write write) override;
  void subscribe(std::uint64_t id, std::span<const Subscription> subscriptions) override;
  void unsubscribe(std::uint64_t id, const std::vector<std::string>& filters) override;
  bool carries_per_filter_options() const noexcept override { return false; }
  int consumer_yields() const noexcept override { return 50; }
  std::optional<milliseconds> liveness_period() const override;
  void check_liveness() override;

 private:
  void on_publish_done(const mqtt::token& token, bool succeeded);
  void on_subscribe_done(const mqtt::token& token, bool succeeded);
  void on_unsubscribe_done(const mqtt::token& token, bool succeeded);
  void on_connection_lost(std::string cause);

  const ClientOptions& options_;
  std::string client_id_;
  TransportEvents& events_;
  ProxyRoute route_;  // before paho_: paho may only be built, and must be gone, while it lives
  ActionListener publish_listener_;
  ActionListener subscribe_listener_;
  ActionListener unsubscribe_listener_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::size_t> subscribe_sizes_;  // filters per SUBSCRIBE awaiting SUBACK
  LivenessWatch liveness_;  // paho's socket while connected; inactive otherwise
  std::string liveness_cut_;  // why the watch cut the connection, for the loss that follows
  std::unique_ptr<mqtt::async_client> paho_;
};

PahoTransport::PahoTransport(const ClientOptions& options, const std::string& client_id,
                             TransportEvents& events)
    : options_(options),
      client_id_(client_id),
      events_(events),
      route_(options_),
      publish_listener_([this](const mqtt::token& t, bool ok) { on_publish_done(t, ok); }),
      subscribe_listener_([this](const mqtt::token& t, bool ok) { on_subscribe_done(t, ok); }),
      unsubscribe_listener_([this](const mqtt::token& t, bool ok) { on_unsubscribe_done(t, ok); }) {
  // Server URI: always the broker itself, so TLS checks the broker's name. Any proxy, SOCKS5
  // included, reaches paho as its HTTP proxy option instead (proxy_route.hpp). No persistence
  // object: paho keeps state in memory, never in files in the CWD (P20).
  paho_ = std::make_unique<mqtt::async_client>(options_.broker.paho_uri(), client_id_,
                                               make_create_options(options_), nullptr);
  paho_->set_message_callback([this](mqtt::const_message_ptr msg) {
    if (msg) events_.on_message(from_paho_message(*msg));
  });
  paho_->set_connection_lost_handler([this](const std::string& cause) { on_connection_lost(cause); });
  paho_->set_disconnected_handler([this](const mqtt::properties&, mqtt::ReasonCode reason) {
    {
      std::lock_guard lock(mutex_);
      liveness_ = {};
    }
    events_.on_broker_disconnect(static_cast<int>(reason));
  });
}

PahoTransport::~PahoTransport() {
  try {
    // No delivery into an owner that is about to go; paho refuses this while a connect is still
    // in flight, and nothing may escape a destructor.
    paho_->set_message_callback(nullptr);
  } catch (const mqtt::exception&) {
  }
  // Destroyed first and explicitly: MQTTAsync_destroy fails every still-pending token, which
  // runs the listeners and the owner's handlers; all of them must still be alive then.
  paho_.reset();
}

ConnectResult PahoTransport::connect(Clock::time_point deadline,
                                     const std::function<bool()>& cancelled) {
  std::string uri = display_uri(options_.broker);
  if (const std::string proxy = route_.proxy_display(); !proxy.empty())
    uri += " through proxy " + proxy;
  const SocketSnapshot sockets_before = snapshot_sockets();
  mqtt::token_ptr token;
  try {
    // Built afresh for every connect and passed as a prvalue: paho.mqtt.cpp 1.2 corrupts v5
    // properties when connect_options are copied, and keeps no copy of its own (P21).
    token = paho_->connect(make_connect_options(options_, route_.paho_proxy()));
  } catch (const mqtt::exception& e) {
    throw ConnectError(describe_connect_failure(e.get_return_code(), e.get_reason_code(),
                                                options_.version, uri, "", e.what()));
  }
  try {
    // Poll in short steps so stop() (SIGINT) is honoured while a connect hangs.
    while (!token->wait_for(milliseconds(50))) {
      if (cancelled()) throw ConnectError("connect to " + uri + " cancelled");
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
    throw ConnectError(describe_connect_failure(e.get_return_code(), e.get_reason_code(),
                                                options_.version, uri, tls_error, detail),
                       e.get_reason_code() ? std::optional<int>(e.get_reason_code())
                                           : std::optional<int>(e.get_return_code()));
  }
  ConnectResult result = make_connect_result(token->get_connect_response(), client_id_);
  std::lock_guard lock(mutex_);
  liveness_ = LivenessWatch::find(sockets_before, route_.paho_peer_port(),
                                  LivenessWatch::silence_limit(std::chrono::seconds(options_.keepalive_s)));
  liveness_cut_.clear();
  return result;
}

void PahoTransport::disconnect() noexcept {
  try {
    // The owner's own wait already let acknowledgements arrive; a quiesce timeout in paho would
    // only add its polling delay to every exit.
    auto token = paho_->disconnect(0);
    token->wait_for(milliseconds(2000));
  } catch (const std::exception&) {
    // Already gone: nothing more to say to the broker.
  }
  // Through a relay our own thread still carries paho's last bytes (the DISCONNECT, a QoS 0
  // PUBLISH); callers may _Exit right after this returns (proxy_route.hpp).
  route_.flush(milliseconds(1000));
  std::lock_guard lock(mutex_);
  liveness_ = {};
}

void PahoTransport::publish(std::uint64_t id, std::shared_ptr<const Message> message, Write) {
  try {
    paho_->publish(to_paho_message(*message, options_.version), as_context(id), publish_listener_);
  } catch (const mqtt::exception& e) {
    throw TransportRejected(e.what());
  }
}

void PahoTransport::on_publish_done(const mqtt::token& token, bool succeeded) {
  // Runs on paho's thread: short, never blocks, no exception escapes (P14).
  try {
    // Only an MQTT 5 PUBACK/PUBREC carries a refusal; paho reports a dropped connection as
    // 0xFF (also at 3.1.1), which must be resent after a reconnect, not treated as a refusal.
    const int reported = static_cast<int>(token.get_reason_code());
    const bool v5 = options_.version == ProtocolVersion::v5;
    const int reason = (v5 && reported != 0xFF) ? reported : 0;
    PublishOutcome outcome;
    if (reason != 0) outcome.reason_code = reason;
    if (reason >= 0x80) {
      outcome.kind = PublishOutcome::Kind::refused;
    } else if (!succeeded) {
      outcome.kind = PublishOutcome::Kind::interrupted;
      outcome.detail = mqtt::exception::error_str(token.get_return_code());
    }
    events_.on_publish_done(from_context(token.get_user_context()), std::move(outcome));
  } catch (...) {
  }
}

void PahoTransport::subscribe(std::uint64_t id, std::span<const Subscription> subscriptions) {
  const bool v5 = options_.version == ProtocolVersion::v5;
  const Subscription& first = subscriptions.front();
  mqtt::properties props;
  if (v5) {
    if (first.options.subscription_identifier)
      props.add({mqtt::property::SUBSCRIPTION_IDENTIFIER,
                 static_cast<int32_t>(*first.options.subscription_identifier)});
    for (const auto& [key, value] : first.options.user_properties)
      props.add({mqtt::property::USER_PROPERTY, key, value});
  }
  {
    std::lock_guard lock(mutex_);
    subscribe_sizes_[id] = subscriptions.size();
  }
  try {
    if (subscriptions.size() == 1) {
      // paho.mqtt.c takes a one-filter SUBSCRIBE's v5 options from `subscribeOptions`, never
      // from the list (MQTTAsync_subscribeMany, 1.3.12): the collection overload dropped
      // no-local, retain-as-published and retain handling here.
      const mqtt::subscribe_options options(
          first.options.no_local, first.options.retain_as_published,
          static_cast<mqtt::subscribe_options::RetainHandling>(first.options.retain_handling));
      paho_->subscribe(first.filter, first.options.qos, as_context(id), subscribe_listener_,
                       options, props);
    } else {
      // paho.mqtt.cpp 1.2 loses per-filter v5 options in a multi-filter SUBSCRIBE
      // (carries_per_filter_options); the caller sent only filters with default options here.
      auto filters = std::make_shared<mqtt::string_collection>();
      mqtt::iasync_client::qos_collection qos;
      for (const Subscription& s : subscriptions) {
        filters->push_back(s.filter);
        qos.push_back(s.options.qos);
      }
      paho_->subscribe(filters, qos, as_context(id), subscribe_listener_,
                       std::vector<mqtt::subscribe_options>(), props);
    }
  } catch (const mqtt::exception& e) {
    std::lock_guard lock(mutex_);
    subscribe_sizes_.erase(id);
    throw TransportRejected(e.what());
  }
}

void PahoTransport::on_subscribe_done(const mqtt::token& token, bool succeeded) {
  // Runs on paho's thread: no exception may escape into the C library (P14).
  try {
    const std::uint64_t id = from_context(token.get_user_context());
    std::size_t filters = 0;
    {
      std::lock_guard lock(mutex_);
      if (auto it = subscribe_sizes_.find(id); it != subscribe_sizes_.end()) {
        filters = it->second;
        subscribe_sizes_.erase(it);
      }
    }
    SubscribeOutcome outcome;
    if (succeeded) {
      outcome.answered = true;
      const mqtt::subscribe_response response = token.get_subscribe_response();  // outlives the loop
      for (auto code : response.get_reason_codes()) outcome.codes.push_back(static_cast<int>(code));
    } else {
      // A refused one-filter SUBSCRIBE arrives as a failure. v5: the reason code (0x87...).
      // v3.1.1: paho.mqtt.cpp 1.2 puts 0xFF in the reason code and paho.mqtt.c's 0x80 in the
      // return code, so the return code is the one to read (was: "SUBACK 0xFF" for 0x80).
      const bool v5 = options_.version == ProtocolVersion::v5;
      const int reason = static_cast<int>(token.get_reason_code());
      const int code = v5 && reason != 0 ? reason : token.get_return_code();
      if (code >= 0x80 && filters == 1) {
        outcome.answered = true;
        outcome.codes.push_back(code);
      } else {
        outcome.failure = "subscribe failed (" + mqtt::exception::error_str(token.get_return_code()) + ")";
      }
    }
    events_.on_subscribe_done(id, std::move(outcome));
  } catch (...) {
  }
}

void PahoTransport::unsubscribe(std::uint64_t id, const std::vector<std::string>& filters) {
  auto collection = std::make_shared<mqtt::string_collection>();
  for (const std::string& f : filters) collection->push_back(f);
  try {
    paho_->unsubscribe(collection, as_context(id), unsubscribe_listener_);
  } catch (const mqtt::exception& e) {
    throw TransportRejected(e.what());
  }
}

void PahoTransport::on_unsubscribe_done(const mqtt::token& token, bool succeeded) {
  try {
    events_.on_unsubscribe_done(
        from_context(token.get_user_context()),
        succeeded ? std::string()
                  : "unsubscribe failed (" + mqtt::exception::error_str(token.get_return_code()) + ")");
  } catch (...) {
  }
}

void PahoTransport::on_connection_lost(std::string cause) {
  {
    std::lock_guard lock(mutex_);
    if (!liveness_cut_.empty()) cause = std::move(liveness_cut_);
    liveness_cut_.clear();
    liveness_ = {};
  }
  events_.on_connection_lost(cause.empty() ? "connection lost" : cause);
}

std::optional<milliseconds> PahoTransport::liveness_period() const {
  std::lock_guard lock(mutex_);
  if (!liveness_.active()) return std::nullopt;
  return LivenessWatch::check_period(std::chrono::seconds(options_.keepalive_s));
}

void PahoTransport::check_liveness() {
  std::lock_guard lock(mutex_);
  if (!liveness_.active() || !liveness_.stalled()) return;
  liveness_cut_ = liveness_.describe_stall(std::chrono::seconds(options_.keepalive_s));
  // paho sees the stream end and reports the loss, which on_connection_lost words with this.
  liveness_.cut();
  liveness_ = {};
}

}  // namespace

std::unique_ptr<Transport> make_paho_transport(const ClientOptions& options,
                                               const std::string& client_id, TransportEvents& events) {
  return std::make_unique<PahoTransport>(options, client_id, events);
}

}  // namespace mqtk::detail
