#include <mqtk/broker_url.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <mqtk/error.hpp>

using mqtk::BrokerUrl;
using mqtk::Transport;

namespace {

struct ValidCase {
  std::string_view text;
  Transport transport;
  std::string_view host;
  std::uint16_t port;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;
  std::string_view path;
};

struct InvalidCase {
  std::string_view text;
  std::string_view message;  // the whole exception message
};

std::string parse_error(std::string_view text) {
  try {
    BrokerUrl::parse(text);
  } catch (const mqtk::UsageError& error) {
    CHECK(error.category() == mqtk::ErrorCategory::usage);
    return error.what();
  }
  return "(parsed without error)";
}

}  // namespace

TEST_CASE("BrokerUrl::parse accepts every scheme, userinfo, host and path form") {
  constexpr auto none = std::nullopt;
  const std::vector<ValidCase> cases{
      {"mqtt://localhost", Transport::tcp, "localhost", 1883, none, none, ""},
      {"mqtt://localhost:1884", Transport::tcp, "localhost", 1884, none, none, ""},
      {"mqtts://broker.example.com", Transport::tls, "broker.example.com", 8883, none, none, ""},
      {"ws://h", Transport::websocket, "h", 80, none, none, ""},
      {"wss://h", Transport::websocket_tls, "h", 443, none, none, ""},
      {"MQTTS://Broker:1", Transport::tls, "Broker", 1, none, none, ""},
      {"mqtt://h:65535", Transport::tcp, "h", 65535, none, none, ""},
      {"mqtt://127.0.0.1:1883", Transport::tcp, "127.0.0.1", 1883, none, none, ""},
      {"mqtt://my_host-1.local", Transport::tcp, "my_host-1.local", 1883, none, none, ""},
      {"mqtt://user@h", Transport::tcp, "h", 1883, "user", none, ""},
      {"mqtt://user:pass@h:1884", Transport::tcp, "h", 1884, "user", "pass", ""},
      {"mqtt://user:@h", Transport::tcp, "h", 1883, "user", "", ""},
      {"mqtt://us%40er:p%3As%2fw@h", Transport::tcp, "h", 1883, "us@er", "p:s/w", ""},
      {"mqtt://u:p@ss@h", Transport::tcp, "h", 1883, "u", "p@ss", ""},
      {"mqtt://u:a:b@h", Transport::tcp, "h", 1883, "u", "a:b", ""},
      {"mqtt://[::1]:1884", Transport::tcp, "::1", 1884, none, none, ""},
      {"mqtt://[::1]", Transport::tcp, "::1", 1883, none, none, ""},
      {"mqtts://[2001:db8::1]:8884", Transport::tls, "2001:db8::1", 8884, none, none, ""},
      {"mqtt://[::ffff:127.0.0.1]", Transport::tcp, "::ffff:127.0.0.1", 1883, none, none, ""},
      {"mqtt://u:p@[::1]:2000/t", Transport::tcp, "::1", 2000, "u", "p", "t"},
      {"mqtt://h/a/b", Transport::tcp, "h", 1883, none, none, "a/b"},
      {"mqtt://h:1884/sensors/#", Transport::tcp, "h", 1884, none, none, "sensors/#"},
      {"mqtt://h/+/temp", Transport::tcp, "h", 1883, none, none, "+/temp"},
      {"mqtt://h/", Transport::tcp, "h", 1883, none, none, ""},
      {"mqtt://h/a%20b", Transport::tcp, "h", 1883, none, none, "a b"},
      {"mqtt://h//lead", Transport::tcp, "h", 1883, none, none, "/lead"},
      {"ws://h:8080/mqtt", Transport::websocket, "h", 8080, none, none, "mqtt"},
      {"wss://u:p@h/ws/path", Transport::websocket_tls, "h", 443, "u", "p", "ws/path"},
  };
  for (const auto& expected : cases) {
    CAPTURE(expected.text);
    const BrokerUrl url = BrokerUrl::parse(expected.text);
    CHECK(url.transport == expected.transport);
    CHECK(url.host == expected.host);
    CHECK(url.port == expected.port);
    CHECK(url.username == expected.username);
    CHECK(url.password == expected.password);
    CHECK(url.path == expected.path);
  }
}

TEST_CASE("BrokerUrl::parse rejects malformed URLs with a precise reason") {
  const std::vector<InvalidCase> cases{
      {"", "invalid broker URL '': empty URL (expected e.g. mqtt://localhost:1883)"},
      {"localhost:1883",
       "invalid broker URL 'localhost:1883': missing '://' after the scheme "
       "(expected e.g. mqtt://localhost:1883)"},
      {"x://h",
       "invalid broker URL 'x://h': unknown scheme 'x' (expected mqtt, mqtts, ws or wss)"},
      {"http://h",
       "invalid broker URL 'http://h': unknown scheme 'http' (expected mqtt, mqtts, ws or wss)"},
      {"tcp://h:1883",
       "invalid broker URL 'tcp://h:1883': unknown scheme 'tcp' (expected mqtt, mqtts, ws or "
       "wss)"},
      {"://h",
       "invalid broker URL '://h': missing scheme before '://' (expected mqtt, mqtts, ws or wss)"},
      {"mqtt://", "invalid broker URL 'mqtt://': missing host"},
      {"mqtt:///topic", "invalid broker URL 'mqtt:///topic': missing host"},
      {"mqtt://:1883", "invalid broker URL 'mqtt://:1883': missing host"},
      {"mqtt://user@", "invalid broker URL 'mqtt://user@': missing host"},
      {"mqtt://h:", "invalid broker URL 'mqtt://h:': missing port after ':'"},
      {"mqtt://h:/t", "invalid broker URL 'mqtt://h:/t': missing port after ':'"},
      {"mqtt://h:abc",
       "invalid broker URL 'mqtt://h:abc': invalid port 'abc' (expected a number 1..65535)"},
      {"mqtt://h:-1",
       "invalid broker URL 'mqtt://h:-1': invalid port '-1' (expected a number 1..65535)"},
      {"mqtt://h:0", "invalid broker URL 'mqtt://h:0': port '0' out of range 1..65535"},
      {"mqtt://h:00000", "invalid broker URL 'mqtt://h:00000': port '00000' out of range 1..65535"},
      {"mqtt://h:65536", "invalid broker URL 'mqtt://h:65536': port '65536' out of range 1..65535"},
      {"mqtt://h:99999999999999999999999",
       "invalid broker URL 'mqtt://h:99999999999999999999999': "
       "port '99999999999999999999999' out of range 1..65535"},
      {"mqtt://h:1884x", "invalid broker URL 'mqtt://h:1884x': unexpected 'x' after port 1884"},
      {"mqtt://h:1884:1", "invalid broker URL 'mqtt://h:1884:1': unexpected ':1' after port 1884"},
      {"mqtt://h:1884?q", "invalid broker URL 'mqtt://h:1884?q': unexpected '?q' after port 1884"},
      {"mqtt://[::1", "invalid broker URL 'mqtt://[::1': unclosed '[' in IPv6 address"},
      {"mqtt://[::1:1883/t", "invalid broker URL 'mqtt://[::1:1883/t': unclosed '[' in IPv6 address"},
      {"mqtt://[::1]x",
       "invalid broker URL 'mqtt://[::1]x': unexpected 'x' after IPv6 address (expected ':port')"},
      {"mqtt://[::1]:", "invalid broker URL 'mqtt://[::1]:': missing port after ':'"},
      {"mqtt://[::1]:70000",
       "invalid broker URL 'mqtt://[::1]:70000': port '70000' out of range 1..65535"},
      {"mqtt://[]:1883", "invalid broker URL 'mqtt://[]:1883': empty IPv6 address '[]'"},
      {"mqtt://[zz::1]", "invalid broker URL 'mqtt://[zz::1]': invalid IPv6 address '[zz::1]'"},
      {"mqtt://[localhost]",
       "invalid broker URL 'mqtt://[localhost]': invalid IPv6 address '[localhost]'"},
      {"mqtt://::1:1883",
       "invalid broker URL 'mqtt://::1:1883': IPv6 address must be in brackets, e.g. "
       "mqtt://[::1]:1883"},
      {"mqtt://fe80::1",
       "invalid broker URL 'mqtt://fe80::1': IPv6 address must be in brackets, e.g. "
       "mqtt://[::1]:1883"},
      {"mqtt://ho st", "invalid broker URL 'mqtt://ho st': invalid character ' ' in host 'ho st'"},
      {"mqtt://@h", "invalid broker URL 'mqtt://@h': empty username before '@'"},
      {"mqtt://:pw@h", "invalid broker URL 'mqtt://:***@h': empty username before '@'"},
      {"mqtt://u%zz@h",
       "invalid broker URL 'mqtt://u%zz@h': invalid percent-encoding '%zz' in username "
       "(expected '%' and two hex digits)"},
      {"mqtt://h/a%2",
       "invalid broker URL 'mqtt://h/a%2': invalid percent-encoding '%2' in path "
       "(expected '%' and two hex digits)"},
      // Passwords are never echoed, not even the bad escape inside one.
      {"mqtt://u:se%zzcret@h",
       "invalid broker URL 'mqtt://u:***@h': invalid percent-encoding in password "
       "(expected '%' and two hex digits)"},
      {"mqtt://u:secret@h:0", "invalid broker URL 'mqtt://u:***@h:0': port '0' out of range 1..65535"},
      {"u:secret@h", "invalid broker URL 'u:***@h': missing '://' after the scheme "
                     "(expected e.g. mqtt://u:***@h)"},
  };
  for (const auto& expected : cases) {
    CAPTURE(expected.text);
    CHECK(parse_error(expected.text) == expected.message);
  }
}

TEST_CASE("default_port and scheme_name cover every transport") {
  CHECK(mqtk::default_port(Transport::tcp) == 1883);
  CHECK(mqtk::default_port(Transport::tls) == 8883);
  CHECK(mqtk::default_port(Transport::websocket) == 80);
  CHECK(mqtk::default_port(Transport::websocket_tls) == 443);
  CHECK(mqtk::scheme_name(Transport::tcp) == "mqtt");
  CHECK(mqtk::scheme_name(Transport::tls) == "mqtts");
  CHECK(mqtk::scheme_name(Transport::websocket) == "ws");
  CHECK(mqtk::scheme_name(Transport::websocket_tls) == "wss");
}

TEST_CASE("BrokerUrl::paho_uri maps schemes and never carries credentials or topics") {
  const std::vector<std::pair<std::string_view, std::string_view>> cases{
      {"mqtt://h", "tcp://h:1883"},
      {"mqtts://u:p@h", "ssl://h:8883"},
      {"mqtt://h:1884/some/topic", "tcp://h:1884"},
      {"ws://h", "ws://h:80"},
      {"wss://h:8443/mqtt", "wss://h:8443/mqtt"},
      {"ws://h/a%20b/c", "ws://h:80/a%20b/c"},
      {"mqtt://[::1]:1884", "tcp://[::1]:1884"},
      {"wss://user:pw@[2001:db8::2]/ws", "wss://[2001:db8::2]:443/ws"},
  };
  for (const auto& [text, paho] : cases) {
    const std::string_view input = text;  // CAPTURE cannot name a structured binding in clang
    CAPTURE(input);
    CHECK(BrokerUrl::parse(input).paho_uri() == paho);
  }
}

TEST_CASE("scheme_name and parse round trip") {
  for (const Transport transport :
       {Transport::tcp, Transport::tls, Transport::websocket, Transport::websocket_tls}) {
    const std::string text = std::string(mqtk::scheme_name(transport)) + "://example.org";
    const BrokerUrl url = BrokerUrl::parse(text);
    CHECK(url.transport == transport);
    CHECK(url.port == mqtk::default_port(transport));
  }
}
