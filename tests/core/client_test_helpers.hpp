#pragma once
// Shared by the Client integration tests (client_test, client_tls_test, client_reconnect_test):
// options for a BrokerFixture, bounded waits on futures and the incoming queue, an event
// recorder, a killable socat relay, and mosquitto_sub/mosquitto_pub as independent peers.

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <mqtk/client.hpp>
#include <mqtk/error.hpp>
#include "support/broker_fixture.hpp"
#include "support/free_port.hpp"
#include "support/process.hpp"
#include "support/text.hpp"

namespace mqtk::test {

using namespace std::chrono_literals;

// Every wait in these tests: long enough for a loaded CI machine under ASan, never a timing
// assertion.
inline constexpr std::chrono::milliseconds kDeadline = 10s;

inline ClientOptions options_for(const std::string& url, std::string client_id,
                                 ProtocolVersion version = ProtocolVersion::v311) {
  ClientOptions options;
  options.broker = BrokerUrl::parse(url);
  options.client_id = std::move(client_id);
  options.version = version;
  options.connect_timeout = 5s;
  options.disconnect_timeout = 2s;
  // CTest runs these tests once more with MQTK_ENGINE=paho (tests/CMakeLists.txt).
  if (const char* engine = std::getenv("MQTK_ENGINE")) options.engine = parse_engine(engine);
  return options;
}

inline ClientOptions options_for(const BrokerFixture& broker, std::string client_id,
                                 ProtocolVersion version = ProtocolVersion::v311) {
  return options_for(broker.url(), std::move(client_id), version);
}

inline Message make_message(std::string topic, std::string payload, int qos = 0,
                            bool retain = false) {
  Message m;
  m.topic = std::move(topic);
  m.payload = std::move(payload);
  m.qos = qos;
  m.retain = retain;
  return m;
}

// Every byte value once, NUL first: payloads must arrive byte for byte.
inline std::string all_bytes() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  return bytes;
}

// future.get() with a deadline, so a lost ack fails the test instead of hanging it.
template <class T>
T get_within(std::future<T>& future, std::chrono::milliseconds timeout = kDeadline) {
  REQUIRE_MESSAGE(future.wait_for(timeout) == std::future_status::ready,
                  "no answer within the deadline");
  return future.get();
}
template <class T>
T get_within(std::future<T>&& future, std::chrono::milliseconds timeout = kDeadline) {
  return get_within(future, timeout);
}

// Designated initializers would leave members out and trip -Wmissing-field-initializers.
inline Subscription subscription(std::string filter, int qos = 0) {
  Subscription s;
  s.filter = std::move(filter);
  s.options.qos = qos;
  return s;
}

inline Will make_will(std::string topic, std::string payload, int qos = 0, bool retain = false) {
  Will will;
  will.topic = std::move(topic);
  will.payload = std::move(payload);
  will.qos = qos;
  will.retain = retain;
  return will;
}

inline SubscribeResult subscribe(Client& client, const std::string& filter, int qos) {
  return get_within(client.subscribe({subscription(filter, qos)}));
}

inline Message next_message(Client& client, std::chrono::milliseconds timeout = kDeadline) {
  std::optional<Message> m = client.messages().pop_for(timeout);
  REQUIRE_MESSAGE(m.has_value(), "no message arrived within the deadline");
  return *m;
}

inline std::vector<std::string> next_payloads(Client& client, std::size_t count,
                                              std::chrono::milliseconds timeout = kDeadline) {
  std::vector<std::string> payloads;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (payloads.size() < count) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) break;
    std::optional<Message> m = client.messages().pop_for(left);
    if (!m) break;
    payloads.push_back(m->payload);
  }
  return payloads;
}

// What connect() threw, for assertions on category, message and reason code.
struct ConnectFailure {
  ErrorCategory category = ErrorCategory::runtime;
  std::string message;
  std::optional<int> reason_code;
};

inline std::optional<ConnectFailure> connect_failure(ClientOptions options) {
  Client client(std::move(options));
  try {
    client.connect();
  } catch (const Error& e) {
    return ConnectFailure{e.category(), e.what(), e.reason_code()};
  }
  return std::nullopt;
}

// Records every ClientEvent; tests wait for a kind to show up.
class EventLog {
 public:
  std::function<void(const ClientEvent&)> handler() {
    return [this](const ClientEvent& event) {
      {
        std::lock_guard lock(mutex_);
        events_.push_back(event);
      }
      changed_.notify_all();
    };
  }

  // Waits until `count` events of `kind` were recorded.
  bool wait_for(ClientEventKind kind, std::size_t count = 1,
                std::chrono::milliseconds timeout = kDeadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return count_locked(kind) >= count; });
  }

  std::size_t count(ClientEventKind kind) const {
    std::lock_guard lock(mutex_);
    return count_locked(kind);
  }

  std::vector<ClientEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

  // The kinds in order, e.g. for "connection_lost before reconnecting before connected".
  std::vector<ClientEventKind> kinds() const {
    std::lock_guard lock(mutex_);
    std::vector<ClientEventKind> out;
    for (const ClientEvent& e : events_) out.push_back(e.kind);
    return out;
  }

 private:
  std::size_t count_locked(ClientEventKind kind) const {
    std::size_t n = 0;
    for (const ClientEvent& e : events_) n += e.kind == kind ? 1 : 0;
    return n;
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ClientEvent> events_;
};

inline const char* kind_name(ClientEventKind kind) {
  switch (kind) {
    case ClientEventKind::connected: return "connected";
    case ClientEventKind::connection_lost: return "connection_lost";
    case ClientEventKind::reconnecting: return "reconnecting";
    case ClientEventKind::reconnect_failed: return "reconnect_failed";
    case ClientEventKind::resubscribed: return "resubscribed";
    case ClientEventKind::session_lost: return "session_lost";
    case ClientEventKind::disconnected_by_broker: return "disconnected_by_broker";
    case ClientEventKind::publish_dropped: return "publish_dropped";
  }
  return "?";
}

inline std::string describe(const EventLog& log) {
  std::string text;
  for (const ClientEvent& e : log.events()) {
    text += std::string(kind_name(e.kind)) + "(" + e.detail + ") ";
  }
  return text;
}

// Position of the first event of `kind` at or after `from`, or npos.
inline std::size_t find_event(const std::vector<ClientEventKind>& kinds, ClientEventKind kind,
                              std::size_t from = 0) {
  for (std::size_t i = from; i < kinds.size(); ++i)
    if (kinds[i] == kind) return i;
  return std::string::npos;
}

// True once something accepts TCP connections on 127.0.0.1:port.
inline bool accepts_connections(std::uint16_t port) {
  UniqueFd sock{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (!sock || ::connect(sock.get(), reinterpret_cast<const sockaddr*>(&address),
                         sizeof address) != 0)
    return false;
  sockaddr_in local{};
  socklen_t length = sizeof local;
  ::getsockname(sock.get(), reinterpret_cast<sockaddr*>(&local), &length);
  return local.sin_port != address.sin_port;  // not a TCP simultaneous open onto ourselves
}

// socat forwarding 127.0.0.1:port() to the broker. kill() drops every relayed connection at
// once (the forked children hold them, hence the process group) while the broker keeps running:
// RELIABILITY-NOTES 2.1.
class Relay {
 public:
  explicit Relay(std::uint16_t target_port) : target_port_(target_port), port_(free_port()) {
    start();
  }
  std::uint16_t port() const { return port_; }
  std::string url() const { return "mqtt://127.0.0.1:" + std::to_string(port_); }

  void start() {
    process_.start({"socat",
                    "TCP-LISTEN:" + std::to_string(port_) + ",bind=127.0.0.1,reuseaddr,fork",
                    "TCP:127.0.0.1:" + std::to_string(target_port_)},
                   ChildOptions{.new_process_group = true});
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!accepts_connections(port_)) {
      if (!process_.running() || std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("socat relay did not start: " + process_.err());
      std::this_thread::sleep_for(10ms);
    }
  }

  void kill() {
    process_.signal(SIGKILL);
    process_.wait(kDeadline);
  }

 private:
  std::uint16_t target_port_;
  std::uint16_t port_;
  ChildProcess process_;
};

inline std::vector<std::string> mosquitto_args(const char* program, std::uint16_t port,
                                               std::vector<std::string> extra) {
  std::vector<std::string> argv{program, "-h", "127.0.0.1", "-p", std::to_string(port)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

inline ProcessResult mosquitto_pub(std::uint16_t port, std::vector<std::string> extra,
                                   std::string_view stdin_data = {}) {
  return run_process(mosquitto_args("mosquitto_pub", port, std::move(extra)), stdin_data,
                     kDeadline);
}

// mosquitto_sub in the background, subscribed (its SUBACK logged by the broker) on return.
// Give it -C n and -W so it ends by itself; collect its output with wait().
inline ChildProcess start_mosquitto_sub(const BrokerFixture& broker, const std::string& client_id,
                                        std::vector<std::string> extra) {
  extra.insert(extra.end(), {"-i", client_id});
  ChildProcess sub(mosquitto_args("mosquitto_sub", broker.port(), std::move(extra)));
  const bool subscribed = broker.wait_for_log("Sending SUBACK to " + client_id, kDeadline);
  REQUIRE_MESSAGE(subscribed, "mosquitto_sub did not subscribe: " << broker.log());
  return sub;
}

}  // namespace mqtk::test
