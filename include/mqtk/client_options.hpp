#pragma once
/// @file
/// Everything that describes one broker session, as plain values with safe defaults
/// (TLS verification on, no file persistence, clean session). The CLI fills these from flags;
/// library users fill them directly.
/// Why values: options can be built, copied, compared in tests and reused for a second client
/// without touching any connection. Client copies them at construction.
/// Thread-safety: plain values, not synchronized; the free functions are safe from any thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <mqtk/broker_url.hpp>
#include <mqtk/message.hpp>
#include <mqtk/message_queue.hpp>

namespace mqtk {

/// The MQTT protocol version spoken with the broker.
enum class ProtocolVersion { v31, v311, v5 };

/// Accepts mosquitto's words and the short forms: mqttv31|31|3.1, mqttv311|311|3.1.1, mqttv5|5.
/// Throws UsageError.
ProtocolVersion parse_protocol_version(std::string_view word);
std::string_view to_string(ProtocolVersion version) noexcept;  ///< "3.1", "3.1.1", "5"

/// The last-will message the broker publishes if the connection ends without DISCONNECT.
struct Will {
  std::string topic{};
  std::string payload{};
  int qos = 0;
  bool retain = false;
  std::optional<std::uint32_t> delay_interval{};  ///< v5 will delay, seconds
  MessageProperties properties{};                ///< v5 will properties
};

/// TLS settings. Verification of the chain and host name is on unless `insecure` is set.
struct TlsOptions {
  bool enabled = false;            ///< forced on by mqtts:// and wss://
  std::string ca_file{};           ///< PEM bundle; empty = system default trust store
  std::string ca_path{};           ///< directory of hashed PEM certificates
  std::string cert_file{};         ///< client certificate (PEM)
  std::string key_file{};          ///< client key (PEM)
  std::string key_password{};
  bool insecure = false;           ///< skip chain and hostname verification
  std::vector<std::string> alpn{};   ///< e.g. {"mqtt"}
  std::string version{};           ///< "tlsv1.2", "tlsv1.3", empty = library default
  std::string ciphers{};           ///< OpenSSL cipher list
};

/// Which proxy protocol ProxyOptions uses; `none` connects directly.
enum class ProxyKind { none, http, socks5 };

/// A proxy between the client and the broker: HTTP CONNECT or SOCKS5 (RFC 1928/1929).
struct ProxyOptions {
  ProxyKind kind = ProxyKind::none;
  std::string host{};
  std::uint16_t port = 0;
  std::optional<std::string> username{};
  std::optional<std::string> password{};
  bool remote_dns = false;  ///< socks5h://: the proxy resolves the broker's name, not us

  /// Parses http://[user[:pass]@]host:port, socks5://..., socks5h://...; throws UsageError.
  static ProxyOptions parse(std::string_view url);
};

/// v5 CONNECT properties the user can set (mosquitto's -D connect ...).
struct ConnectProperties {
  std::optional<std::uint16_t> receive_maximum{};
  std::optional<std::uint32_t> maximum_packet_size{};
  std::optional<std::uint16_t> topic_alias_maximum{};
  std::optional<bool> request_response_information{};
  std::optional<bool> request_problem_information{};
  std::vector<std::pair<std::string, std::string>> user_properties{};
};

/// Which protocol engine speaks MQTT for a Client. mqtk's own engine serves every connection
/// (plain TCP, TLS, websockets, HTTP and SOCKS5 proxies) with several times less overhead per
/// message than paho (README "Engines"); `automatic` is mqtk's own, paho.mqtt.cpp only when asked.
enum class Engine { automatic, paho, native };
/// Accepts auto|paho|native; throws UsageError.
Engine parse_engine(std::string_view word);

/// Automatic reconnect. Off by default: a lost connection then closes messages() and the
/// next publish() throws, which the user's own loop can handle (examples/reconnect.cpp).
struct ReconnectOptions {
  bool enabled = false;
  std::chrono::milliseconds min_delay{1000};
  std::chrono::milliseconds max_delay{30000};
  double jitter = 0.2;  ///< each delay is scaled by a random factor in [1 - jitter, 1 + jitter]
  /// Also retry when the very first connect fails (paho does not; see RELIABILITY-NOTES P2).
  bool retry_initial_connect = false;
};

inline BrokerUrl default_broker() {
  BrokerUrl url;
  url.host = "localhost";
  return url;
}

/// All settings of one Client. The defaults are safe: TLS (when enabled or implied by the URL)
/// verifies the broker, nothing is persisted to disk, the session is clean, reconnect is off.
struct ClientOptions {
  BrokerUrl broker = default_broker();
  std::string client_id{};   ///< generated from id_prefix when empty
  std::string id_prefix = "mqtk";
  std::optional<std::string> username{};
  std::optional<std::string> password{};
  /// Sent in CONNECT; 0 turns keepalive off. A connection on which the broker has been silent
  /// for 1.5x this (at least this + 2 s) is cut and counts as lost (a stalled network).
  std::uint16_t keepalive_s = 60;
  ProtocolVersion version = ProtocolVersion::v311;
  bool clean_session = true;                     ///< v5: clean start
  std::optional<std::uint32_t> session_expiry_s{};  ///< v5
  std::optional<Will> will{};
  TlsOptions tls{};
  ProxyOptions proxy{};
  std::map<std::string, std::string> websocket_headers{};
  ConnectProperties connect_properties{};
  ReconnectOptions reconnect{};

  std::chrono::milliseconds connect_timeout{10000};
  /// How long destruction/disconnect waits for in-flight QoS>0 publishes to be acknowledged.
  std::chrono::milliseconds disconnect_timeout{5000};
  /// Publishes that may be in flight at once (further publish() calls wait); the broker's v5
  /// receive maximum lowers it. Also bounds what is buffered while disconnected.
  std::size_t max_inflight = 100;
  std::size_t max_buffered_publishes = 10000;

  /// The queue messages() hands out. With a capacity and OverflowPolicy::block, a full queue
  /// holds up paho's network thread (one per process, shared by every Client) until a message
  /// is taken: acknowledgements and publishes of every client wait meanwhile, so the thread that
  /// takes the messages must not be the one publishing or waiting for an acknowledgement.
  QueueOptions incoming{};
  Engine engine = Engine::automatic;
  /// Incoming QoS 1 and 2 messages are acknowledged (PUBACK, PUBREC) only when the application
  /// calls Client::acknowledge(), e.g. once it has stored or forwarded them: the broker then
  /// resends what was never acknowledged (with a persistent session, also after a crash) and
  /// sends no more than its in-flight limit meanwhile. mqtk's own engine only; paho acknowledges
  /// on receipt whatever this says.
  bool manual_acks = false;

  /// The client id that will be used: client_id, or id_prefix + '-' + random suffix.
  std::string effective_client_id() const;
  /// The v5 session expiry CONNECT carries: session_expiry_s, or "never" (0xFFFFFFFF) for a
  /// persistent session without one, which would otherwise end with the connection (as
  /// mosquitto_sub does).
  std::optional<std::uint32_t> effective_session_expiry() const;
};

/// mqtt://host:port as users write it (IPv6 literals bracketed), without credentials.
std::string display_uri(const BrokerUrl& broker);

inline bool uses_tls(const ClientOptions& options) {
  return options.tls.enabled || options.broker.transport == Transport::tls ||
         options.broker.transport == Transport::websocket_tls;
}

}  // namespace mqtk
