#include <mqtk/broker_url.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <mqtk/error.hpp>

namespace mqtk {
namespace {

struct SchemeInfo {
  std::string_view name;
  Transport transport;
  std::string_view paho_prefix;
  std::uint16_t port;
};

constexpr std::array<SchemeInfo, 4> schemes{{
    {"mqtt", Transport::tcp, "tcp://", 1883},
    {"mqtts", Transport::tls, "ssl://", 8883},
    {"ws", Transport::websocket, "ws://", 80},
    {"wss", Transport::websocket_tls, "wss://", 443},
}};

const SchemeInfo& info(Transport transport) noexcept {
  return *std::find_if(schemes.begin(), schemes.end(),
                       [transport](const SchemeInfo& s) { return s.transport == transport; });
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alnum(char c) noexcept { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_hex(char c) noexcept { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int hex_value(char c) noexcept {
  if (is_digit(c)) return c - '0';
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

// The URL as echoed in error messages: a password never reaches the terminal or a CI log.
std::string redact_password(std::string_view text) {
  const auto separator = text.find("://");
  const std::size_t authority_begin = separator == std::string_view::npos ? 0 : separator + 3;
  const std::size_t authority_end = std::min(text.find('/', authority_begin), text.size());
  const auto at = text.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority_begin) return std::string(text);
  const auto colon = text.substr(0, at).find(':', authority_begin);
  if (colon == std::string_view::npos || colon + 1 == at) return std::string(text);
  return std::string(text.substr(0, colon + 1)) + "***" + std::string(text.substr(at));
}

class UrlParser {
 public:
  explicit UrlParser(std::string_view text) : text_(text) {}

  [[noreturn]] void fail(const std::string& reason) const {
    throw UsageError("invalid broker URL '" + redact_password(text_) + "': " + reason);
  }

  std::string percent_decode(std::string_view encoded, std::string_view what) const {
    std::string decoded;
    decoded.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      if (encoded[i] != '%') {
        decoded += encoded[i];
        continue;
      }
      if (i + 2 >= encoded.size() || !is_hex(encoded[i + 1]) || !is_hex(encoded[i + 2])) {
        // Quote the bad escape, except from a password.
        const std::string quoted =
            what == "password" ? "" : " '" + std::string(encoded.substr(i, 3)) + "'";
        fail("invalid percent-encoding" + quoted + " in " + std::string(what) +
             " (expected '%' and two hex digits)");
      }
      decoded += static_cast<char>(hex_value(encoded[i + 1]) * 16 + hex_value(encoded[i + 2]));
      i += 2;
    }
    return decoded;
  }

  Transport parse_scheme(std::string_view scheme) const {
    if (scheme.empty()) fail("missing scheme before '://' (expected mqtt, mqtts, ws or wss)");
    std::string lower(scheme);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& s : schemes) {
      if (s.name == lower) return s.transport;
    }
    fail("unknown scheme '" + std::string(scheme) + "' (expected mqtt, mqtts, ws or wss)");
  }

  std::uint16_t parse_port(std::string_view port_text) const {
    if (port_text.empty()) fail("missing port after ':'");
    const auto digits_end = std::find_if_not(port_text.begin(), port_text.end(), is_digit);
    const std::string_view digits =
        port_text.substr(0, static_cast<std::size_t>(digits_end - port_text.begin()));
    if (digits.empty()) {
      fail("invalid port '" + std::string(port_text) + "' (expected a number 1..65535)");
    }
    if (digits.size() < port_text.size()) {
      fail("unexpected '" + std::string(port_text.substr(digits.size())) + "' after port " +
           std::string(digits));
    }
    unsigned long value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc{} || end != digits.data() + digits.size() || value == 0 ||
        value > 65535) {
      fail("port '" + std::string(digits) + "' out of range 1..65535");
    }
    return static_cast<std::uint16_t>(value);
  }

  // `host_port` is everything between the userinfo and the path.
  void parse_host_port(std::string_view host_port, BrokerUrl& url) const {
    if (host_port.empty()) fail("missing host");
    std::optional<std::string_view> port_text;
    if (host_port.front() == '[') {
      const auto close = host_port.find(']');
      if (close == std::string_view::npos) fail("unclosed '[' in IPv6 address");
      const std::string_view address = host_port.substr(1, close - 1);
      if (address.empty()) fail("empty IPv6 address '[]'");
      const bool valid = address.find(':') != std::string_view::npos &&
                         std::all_of(address.begin(), address.end(),
                                     [](char c) { return is_hex(c) || c == ':' || c == '.'; });
      if (!valid) fail("invalid IPv6 address '[" + std::string(address) + "]'");
      url.host = address;
      const std::string_view after = host_port.substr(close + 1);
      if (!after.empty() && after.front() != ':') {
        fail("unexpected '" + std::string(after) + "' after IPv6 address (expected ':port')");
      }
      if (!after.empty()) port_text = after.substr(1);
    } else {
      const auto colon = host_port.find(':');
      const bool looks_like_ipv6 =
          std::count(host_port.begin(), host_port.end(), ':') >= 2 &&
          std::all_of(host_port.begin(), host_port.end(),
                      [](char c) { return is_hex(c) || c == ':' || c == '.'; });
      if (looks_like_ipv6) fail("IPv6 address must be in brackets, e.g. mqtt://[::1]:1883");
      const std::string_view host = host_port.substr(0, colon);
      if (host.empty()) fail("missing host");
      const auto bad = std::find_if_not(host.begin(), host.end(), [](char c) {
        return is_alnum(c) || c == '-' || c == '.' || c == '_';
      });
      if (bad != host.end()) {
        fail("invalid character '" + std::string(1, *bad) + "' in host '" + std::string(host) +
             "'");
      }
      url.host = host;
      if (colon != std::string_view::npos) port_text = host_port.substr(colon + 1);
    }
    if (port_text) url.port = parse_port(*port_text);
  }

  BrokerUrl parse() const {
    if (text_.empty()) fail("empty URL (expected e.g. mqtt://localhost:1883)");
    const auto separator = text_.find("://");
    if (separator == std::string_view::npos) {
      fail("missing '://' after the scheme (expected e.g. mqtt://" + redact_password(text_) +
           ")");
    }
    BrokerUrl url;
    url.transport = parse_scheme(text_.substr(0, separator));
    url.port = default_port(url.transport);

    const std::string_view rest = text_.substr(separator + 3);
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) url.path = percent_decode(rest.substr(slash + 1), "path");

    // The last '@': an unencoded '@' in a password is common enough to tolerate.
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
      const std::string_view userinfo = authority.substr(0, at);
      const auto colon = userinfo.find(':');
      const std::string_view user = userinfo.substr(0, colon);
      if (user.empty()) fail("empty username before '@'");
      url.username = percent_decode(user, "username");
      if (colon != std::string_view::npos) {
        url.password = percent_decode(userinfo.substr(colon + 1), "password");
      }
      authority = authority.substr(at + 1);
    }
    parse_host_port(authority, url);
    return url;
  }

 private:
  std::string_view text_;
};

// Paths go to paho (and on to the HTTP request line) encoded again, so a decoded space or
// '?' cannot change the request.
std::string percent_encode_path(std::string_view path) {
  constexpr std::string_view keep = "-._~!$&'()*+,;=:@/";
  constexpr std::string_view hex_digits = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : path) {
    if (is_alnum(c) || keep.find(c) != std::string_view::npos) {
      encoded += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      encoded += '%';
      encoded += hex_digits[byte >> 4];
      encoded += hex_digits[byte & 0x0f];
    }
  }
  return encoded;
}

}  // namespace

std::uint16_t default_port(Transport transport) noexcept { return info(transport).port; }

std::string_view scheme_name(Transport transport) noexcept { return info(transport).name; }

BrokerUrl BrokerUrl::parse(std::string_view text) { return UrlParser(text).parse(); }

std::string BrokerUrl::paho_uri() const {
  std::string uri(info(transport).paho_prefix);
  const bool ipv6 = host.find(':') != std::string::npos;
  uri += ipv6 ? "[" + host + "]" : host;
  // Separators appended on their own: GCC 12 -O2 warns falsely on "x" + std::string&& (PR105651).
  uri += ':';
  uri += std::to_string(port);
  // For ws/wss an empty path is left out and paho requests its default, /mqtt. For mqtt/mqtts
  // the path is a topic, which is no part of the connection.
  const bool websocket = transport == Transport::websocket || transport == Transport::websocket_tls;
  if (websocket && !path.empty()) {
    uri += '/';
    uri += percent_encode_path(path);
  }
  return uri;
}

}  // namespace mqtk
