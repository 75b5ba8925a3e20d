#include <mqtk/client_options.hpp>

#include <charconv>
#include <limits>
#include <random>

#include <mqtk/error.hpp>

namespace mqtk {

ProtocolVersion parse_protocol_version(std::string_view word) {
  if (word == "mqttv31" || word == "31" || word == "3.1") return ProtocolVersion::v31;
  if (word == "mqttv311" || word == "311" || word == "3.1.1" || word == "4")
    return ProtocolVersion::v311;
  if (word == "mqttv5" || word == "5" || word == "5.0") return ProtocolVersion::v5;
  throw UsageError("invalid protocol version '" + std::string(word) +
                   "' (expected mqttv31, mqttv311 or mqttv5; also 3.1, 3.1.1, 5)");
}

Engine parse_engine(std::string_view word) {
  if (word == "auto" || word == "automatic") return Engine::automatic;
  if (word == "paho") return Engine::paho;
  if (word == "native") return Engine::native;
  throw UsageError("invalid engine '" + std::string(word) + "' (expected auto, paho or native)");
}

std::string_view to_string(ProtocolVersion version) noexcept {
  switch (version) {
    case ProtocolVersion::v31: return "3.1";
    case ProtocolVersion::v311: return "3.1.1";
    case ProtocolVersion::v5: return "5";
  }
  return "3.1.1";
}

ProxyOptions ProxyOptions::parse(std::string_view url) {
  ProxyOptions proxy;
  const std::string text(url);
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    throw UsageError("invalid proxy URL '" + text + "': expected http://, socks5:// or socks5h://");
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme == "http") proxy.kind = ProxyKind::http;
  else if (scheme == "socks5" || scheme == "socks5h") proxy.kind = ProxyKind::socks5;
  else
    throw UsageError("invalid proxy URL '" + text + "': unknown scheme '" + std::string(scheme) +
                     "' (expected http, socks5 or socks5h)");
  proxy.remote_dns = scheme == "socks5h";
  std::string_view rest = url.substr(scheme_end + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view credentials = rest.substr(0, at);
    const auto colon = credentials.find(':');
    proxy.username = std::string(credentials.substr(0, colon));
    if (colon != std::string_view::npos) proxy.password = std::string(credentials.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos)
      throw UsageError("invalid proxy URL '" + text + "': unclosed '['");
    proxy.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    // Only ":port" may follow the ']' (was: anything after it was silently ignored).
    if (!rest.empty() && rest.front() != ':')
      throw UsageError("invalid proxy URL '" + text + "': expected ':port' after ']'");
    if (!rest.empty()) port_text = rest.substr(1);
  } else {
    const auto colon = rest.rfind(':');
    proxy.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  if (proxy.host.empty()) throw UsageError("invalid proxy URL '" + text + "': missing host");
  // A ':' with no port after it is a typo, not a request for the default port (was accepted).
  if (port_text.empty() && !rest.empty() && rest.back() == ':')
    throw UsageError("invalid proxy URL '" + text + "': missing port after ':'");
  if (port_text.empty()) {
    proxy.port = proxy.kind == ProxyKind::http ? 8080 : 1080;
  } else {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 || value > 65535)
      throw UsageError("invalid proxy URL '" + text + "': port '" + std::string(port_text) +
                       "' out of range 1..65535");
    proxy.port = static_cast<std::uint16_t>(value);
  }
  return proxy;
}

std::string display_uri(const BrokerUrl& broker) {
  const bool ipv6 = broker.host.find(':') != std::string::npos;
  std::string uri = std::string(scheme_name(broker.transport)) + "://";
  uri += ipv6 ? "[" + broker.host + "]" : broker.host;
  uri += ':';  // appended separately: GCC 12 -O2 warns falsely on ":" + std::string&& (PR105651)
  uri += std::to_string(broker.port);
  if (broker.transport == Transport::websocket || broker.transport == Transport::websocket_tls)
    uri += "/" + broker.path;
  return uri;
}

std::optional<std::uint32_t> ClientOptions::effective_session_expiry() const {
  if (!session_expiry_s && !clean_session) return std::numeric_limits<std::uint32_t>::max();
  return session_expiry_s;
}

std::string ClientOptions::effective_client_id() const {
  if (!client_id.empty()) return client_id;
  static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device seed;
  std::mt19937 random(seed());
  std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 2);
  std::string id = id_prefix.empty() ? std::string("mqtk") : id_prefix;
  id += '-';
  // mosquitto_sub uses prefix-pid; a random suffix also keeps parallel runs apart.
  for (int i = 0; i < 10; ++i) id += alphabet[pick(random)];
  return id;
}

}  // namespace mqtk
