#pragma once
/// @file
/// Broker URLs as mosquitto's -L takes them, plus websockets:
///   mqtt|mqtts|ws|wss :// [user[:pass]@] host|[ipv6] [:port] [/path]
/// For mqtt/mqtts the path is a topic (mosquitto -L form); for ws/wss it is the HTTP path.
/// Thread-safety: plain values and pure functions; a BrokerUrl may be read from several threads
/// at once, but not read while another thread writes it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mqtk {

/// How the MQTT bytes travel: plain TCP, TLS, websockets, or websockets over TLS.
enum class Transport { tcp, tls, websocket, websocket_tls };

/// 1883, 8883, 80, 443.
std::uint16_t default_port(Transport transport) noexcept;
/// "mqtt", "mqtts", "ws", "wss".
std::string_view scheme_name(Transport transport) noexcept;

/// Where the broker is, as parsed from a URL (or filled in field by field).
struct BrokerUrl {
  Transport transport = Transport::tcp;
  std::string host{};         ///< without brackets for IPv6 literals
  std::uint16_t port = 1883;  ///< the scheme's default when the URL has none
  std::optional<std::string> username{};
  std::optional<std::string> password{};
  std::string path{};         ///< percent-decoded, without the leading '/'; may be empty

  /// Parses `text`; throws UsageError with a precise reason ("unknown scheme 'http'",
  /// "port '99999' out of range 1..65535", "missing host", ...).
  static BrokerUrl parse(std::string_view text);

  /// The URI paho expects: tcp://host:port, ssl://host:port, ws://host:port/path, wss://...
  /// IPv6 literals are bracketed. Never contains credentials.
  std::string paho_uri() const;
};

}  // namespace mqtk
