// client_options: protocol version words, proxy URLs, display_uri, the generated client id and
// uses_tls. Unit tests: no network.

#include <mqtk/client_options.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <string_view>

#include <mqtk/error.hpp>

using mqtk::BrokerUrl;
using mqtk::ClientOptions;
using mqtk::ProtocolVersion;
using mqtk::ProxyKind;
using mqtk::ProxyOptions;
using mqtk::Transport;
using mqtk::UsageError;

TEST_CASE("parse_protocol_version accepts mosquitto's words and the short forms") {
  struct Case {
    std::string_view word;
    ProtocolVersion version;
  };
  const Case cases[] = {
      {"mqttv31", ProtocolVersion::v31},   {"31", ProtocolVersion::v31},
      {"3.1", ProtocolVersion::v31},       {"mqttv311", ProtocolVersion::v311},
      {"311", ProtocolVersion::v311},      {"3.1.1", ProtocolVersion::v311},
      {"4", ProtocolVersion::v311},        {"mqttv5", ProtocolVersion::v5},
      {"5", ProtocolVersion::v5},          {"5.0", ProtocolVersion::v5},
  };
  for (const Case& c : cases) {
    CAPTURE(c.word);
    CHECK(mqtk::parse_protocol_version(c.word) == c.version);
  }
}

TEST_CASE("parse_protocol_version rejects anything else, naming the word and the choices") {
  for (std::string_view word : {"", "6", "3", "mqttv4", "MQTTV5", " 5", "v5"}) {
    CAPTURE(word);
    std::string message = "(accepted)";
    try {
      mqtk::parse_protocol_version(word);
    } catch (const UsageError& e) {
      message = e.what();
    }
    CAPTURE(message);
    CHECK(message.find("'" + std::string(word) + "'") != std::string::npos);
    CHECK(message.find("mqttv311") != std::string::npos);
  }
}

TEST_CASE("to_string(ProtocolVersion) round trips through parse_protocol_version") {
  for (ProtocolVersion v : {ProtocolVersion::v31, ProtocolVersion::v311, ProtocolVersion::v5}) {
    CHECK(mqtk::parse_protocol_version(mqtk::to_string(v)) == v);
  }
  CHECK(mqtk::to_string(ProtocolVersion::v31) == "3.1");
  CHECK(mqtk::to_string(ProtocolVersion::v311) == "3.1.1");
  CHECK(mqtk::to_string(ProtocolVersion::v5) == "5");
}

TEST_CASE("ProxyOptions::parse reads kind, host, port and credentials") {
  SUBCASE("http with an explicit port") {
    const ProxyOptions p = ProxyOptions::parse("http://proxy.example:3128");
    CHECK(p.kind == ProxyKind::http);
    CHECK(p.host == "proxy.example");
    CHECK(p.port == 3128);
    CHECK_FALSE(p.username);
    CHECK_FALSE(p.password);
  }
  SUBCASE("default ports: 8080 for http, 1080 for socks5") {
    CHECK(ProxyOptions::parse("http://proxy").port == 8080);
    CHECK(ProxyOptions::parse("http://proxy/").port == 8080);
    CHECK(ProxyOptions::parse("socks5://proxy").port == 1080);
    CHECK(ProxyOptions::parse("socks5h://proxy").port == 1080);
    CHECK(ProxyOptions::parse("socks5h://proxy").kind == ProxyKind::socks5);
  }
  SUBCASE("user and password; the last '@' ends them, so a password may contain '@'") {
    const ProxyOptions p = ProxyOptions::parse("socks5://alice:p@ss:w@proxy:1081");
    CHECK(p.kind == ProxyKind::socks5);
    CHECK(p.username == "alice");
    CHECK(p.password == "p@ss:w");
    CHECK(p.host == "proxy");
    CHECK(p.port == 1081);
    const ProxyOptions user_only = ProxyOptions::parse("http://bob@proxy:1");
    CHECK(user_only.username == "bob");
    CHECK_FALSE(user_only.password);
  }
  SUBCASE("bracketed IPv6 literals") {
    const ProxyOptions p = ProxyOptions::parse("http://[::1]:3128");
    CHECK(p.host == "::1");
    CHECK(p.port == 3128);
    CHECK(ProxyOptions::parse("http://[fe80::1]").port == 8080);
  }
}

TEST_CASE("ProxyOptions::parse rejects malformed URLs naming the problem") {
  struct Case {
    std::string_view url;
    std::string_view says;
  };
  const Case cases[] = {
      {"proxy:3128", "expected http://, socks5:// or socks5h://"},
      {"ftp://proxy:21", "unknown scheme 'ftp'"},
      {"https://proxy:443", "unknown scheme 'https'"},
      {"http://:3128", "missing host"},
      {"http://", "missing host"},
      {"http://[::1:3128", "unclosed '['"},
      {"http://proxy:0", "out of range 1..65535"},
      {"http://proxy:65536", "out of range 1..65535"},
      {"http://proxy:12ab", "out of range 1..65535"},
      {"http://proxy:-1", "out of range 1..65535"},
      {"http://proxy:", "port"},
      {"http://[::1]x", "after ']'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.url);
    std::string message = "(accepted)";
    try {
      ProxyOptions::parse(c.url);
    } catch (const UsageError& e) {
      message = e.what();
    }
    CAPTURE(message);
    CHECK(message.find(c.says) != std::string::npos);
    CHECK(message.find(std::string(c.url)) != std::string::npos);
  }
}

TEST_CASE("display_uri shows scheme, host and port, brackets IPv6, never credentials") {
  BrokerUrl url = BrokerUrl::parse("mqtt://user:secret@127.0.0.1:1884/some/topic");
  CHECK(mqtk::display_uri(url) == "mqtt://127.0.0.1:1884");

  CHECK(mqtk::display_uri(BrokerUrl::parse("mqtts://[::1]")) == "mqtts://[::1]:8883");
  CHECK(mqtk::display_uri(BrokerUrl::parse("ws://localhost:9001/mqtt")) ==
        "ws://localhost:9001/mqtt");
  CHECK(mqtk::display_uri(BrokerUrl::parse("wss://u:p@broker.example")) ==
        "wss://broker.example:443/");

  BrokerUrl plain;
  plain.host = "broker";
  plain.port = 1883;
  CHECK(mqtk::display_uri(plain) == "mqtt://broker:1883");
}

TEST_CASE("effective_client_id: the given id, else prefix-<10 random [0-9a-z]>") {
  ClientOptions options;
  options.client_id = "fixed-id";
  CHECK(options.effective_client_id() == "fixed-id");

  options.client_id.clear();
  options.id_prefix = "sensor";
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    const std::string id = options.effective_client_id();
    REQUIRE(id.size() == std::string("sensor-").size() + 10);
    CHECK(id.starts_with("sensor-"));
    for (char c : id.substr(7)) {
      CHECK(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')));
    }
    ids.insert(id);
  }
  CHECK(ids.size() == 20);  // random enough that parallel runs don't collide

  options.id_prefix.clear();
  const std::string fallback = options.effective_client_id();
  CHECK(fallback.starts_with("mqtk-"));
  CHECK(fallback.size() <= 23);  // MQTT 3.1 servers may refuse longer ids
}

TEST_CASE("uses_tls follows the flag and the mqtts/wss schemes") {
  ClientOptions options;
  CHECK_FALSE(mqtk::uses_tls(options));
  options.broker = BrokerUrl::parse("mqtts://localhost");
  CHECK(mqtk::uses_tls(options));
  options.broker = BrokerUrl::parse("wss://localhost");
  CHECK(mqtk::uses_tls(options));
  options.broker = BrokerUrl::parse("ws://localhost");
  CHECK_FALSE(mqtk::uses_tls(options));
  options.tls.enabled = true;
  CHECK(mqtk::uses_tls(options));
}

TEST_CASE("ClientOptions defaults are the safe ones") {
  const ClientOptions options;
  CHECK(options.broker.host == "localhost");
  CHECK(options.broker.port == 1883);
  CHECK(options.clean_session);
  CHECK_FALSE(options.tls.insecure);
  CHECK_FALSE(options.reconnect.enabled);
  CHECK(options.version == ProtocolVersion::v311);
  CHECK(options.proxy.kind == ProxyKind::none);
}
