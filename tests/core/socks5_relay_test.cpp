// Socks5Relay and ProxyRoute against a real SOCKS5 proxy (Debian's dante-server) and a real
// broker: raw tunnels (HTTP CONNECT in, MQTT CONNECT/CONNACK through), RFC 1929 auth, the
// proxy's refusals as the relay reports them, prompt shutdown, and Client round trips over
// tcp, ws and TLS through the relay, with TLS verified against the broker's own name.

#include "core/proxy_route.hpp"
#include "core/socks5_client.hpp"
#include "core/socks5_relay.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/client_test_helpers.hpp"
#include "support/proxy_fixture.hpp"

using namespace std::chrono_literals;
using namespace mqtk;
using namespace mqtk::test;

namespace {

#define SKIP_UNLESS(reason_or_null)                    \
  if (const auto why_skip = (reason_or_null)) {        \
    MESSAGE("skipped: " << *why_skip);                 \
    return;                                            \
  }

ProxyOptions socks(const DanteProxy& dante, bool remote_dns = false) {
  ProxyOptions proxy = ProxyOptions::parse(dante.url(remote_dns ? "socks5h" : "socks5"));
  REQUIRE(proxy.remote_dns == remote_dns);
  return proxy;
}

UniqueFd connect_loopback(std::uint16_t port) {
  UniqueFd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(sock.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  timeval timeout{10, 0};  // a lost reply fails the test instead of hanging it
  ::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return sock;
}

void send_text(int fd, const std::string& data) {
  REQUIRE(::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size()));
}

// Reads until `terminator` shows up, the peer closes, or the receive timeout passes.
std::string read_until(int fd, const std::string& terminator) {
  std::string data;
  while (data.find(terminator) == std::string::npos) {
    char c = 0;
    if (::recv(fd, &c, 1, 0) != 1) break;
    data += c;
  }
  return data;
}

std::string read_exactly(int fd, std::size_t size) {
  std::string data;
  std::array<char, 256> buffer{};
  while (data.size() < size) {
    const ssize_t n = ::recv(fd, buffer.data(), std::min(buffer.size(), size - data.size()), 0);
    if (n <= 0) break;
    data.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return data;
}

// MQTT 3.1.1 CONNECT, clean session, keepalive 10 s.
std::string mqtt_connect(const std::string& client_id) {
  std::string body{'\0', '\4', 'M', 'Q', 'T', 'T', '\4', '\2', '\0', '\x0A'};
  body += static_cast<char>(client_id.size() >> 8);
  body += static_cast<char>(client_id.size() & 0xFF);
  body += client_id;
  return std::string{'\x10', static_cast<char>(body.size())} + body;
}

std::string unique_id(const std::string& prefix) {
  static int counter = 0;  // test cases run one at a time
  return prefix + "-relay-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

const std::string connack_accepted{'\x20', '\x02', '\0', '\0'};

struct TunnelAttempt {
  UniqueFd sock;        // paho's end
  std::string status;   // the relay's HTTP status line and headers
  std::string answer;   // what came back through the tunnel for an MQTT CONNECT
};

// What paho does: CONNECT through the relay, then MQTT over the tunnel.
TunnelAttempt open_tunnel(const Socks5Relay& relay, const std::string& connect_target = "x:1") {
  TunnelAttempt attempt;
  attempt.sock = connect_loopback(relay.port());
  const int fd = attempt.sock.get();
  send_text(fd, "CONNECT " + connect_target + " HTTP/1.1\r\nHost: " + connect_target + "\r\n\r\n");
  attempt.status = read_until(fd, "\r\n\r\n");
  if (attempt.status.rfind("HTTP/1.1 200", 0) != 0) return attempt;
  send_text(fd, mqtt_connect(unique_id("relay")));
  attempt.answer = read_exactly(fd, connack_accepted.size());
  return attempt;
}

void check_tunnel_works(const Socks5Relay& relay) {
  const TunnelAttempt attempt = open_tunnel(relay);
  INFO("relay error: " << relay.last_error());
  CHECK(attempt.status == "HTTP/1.1 200 Connection established\r\n\r\n");
  CHECK(attempt.answer == connack_accepted);
  CHECK(relay.last_error().empty());
}

void check_tunnel_refused(const Socks5Relay& relay, const std::string& error) {
  const TunnelAttempt attempt = open_tunnel(relay);
  CHECK(attempt.status.rfind("HTTP/1.1 502", 0) == 0);
  CHECK(relay.last_error() == error);
  CHECK(relay.tunnels_opened() == 0);
}

// A name of this machine that resolves to 127.0.0.1 but is not in the test certificate.
std::optional<std::string> loopback_alias() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size()) != 0 || std::string(name.data()) == "localhost")
    return std::nullopt;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* found = nullptr;
  if (::getaddrinfo(name.data(), nullptr, &hints, &found) != 0) return std::nullopt;
  const bool loopback =
      reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
  ::freeaddrinfo(found);
  return loopback ? std::optional<std::string>(name.data()) : std::nullopt;
}

}  // namespace

TEST_CASE("SOCKS5 reply codes read as RFC 1928 names them") {
  CHECK(detail::describe_socks5_reply(1) == "general SOCKS server failure");
  CHECK(detail::describe_socks5_reply(2) == "connection not allowed by ruleset");
  CHECK(detail::describe_socks5_reply(5) == "connection refused by destination host");
  CHECK(detail::describe_socks5_reply(8) == "address type not supported");
  CHECK(detail::describe_socks5_reply(42) == "unknown reply code");
}

TEST_CASE("without a proxy the relay connects straight to its target") {
  BrokerFixture broker;
  Socks5Relay relay(ProxyOptions{}, broker.host(), broker.port(), false);
  check_tunnel_works(relay);
  CHECK(relay.tunnels_opened() == 1);
}

TEST_CASE("through dante: an address (socks5), a name resolved here, a name resolved there") {
  SKIP_UNLESS(dante_unavailable());
  BrokerFixture broker;
  DanteProxy dante;
  SUBCASE("socks5, IPv4 literal") {
    check_tunnel_works(Socks5Relay(socks(dante), "127.0.0.1", broker.port(), false));
  }
  SUBCASE("socks5, name resolved by the relay") {
    check_tunnel_works(Socks5Relay(socks(dante), "localhost", broker.port(), false));
  }
  SUBCASE("socks5h, name resolved by the proxy") {
    check_tunnel_works(Socks5Relay(socks(dante, true), "localhost", broker.port(), true));
  }
}

TEST_CASE("dante's refusals and an absent proxy close the tunnel and say why") {
  SKIP_UNLESS(dante_unavailable());
  BrokerFixture broker;
  const std::uint16_t closed_port = free_port();
  DanteProxy dante({.blocked_ports = {broker.port()}});
  SUBCASE("ruleset") {
    check_tunnel_refused(Socks5Relay(socks(dante), "127.0.0.1", broker.port(), false),
                         "SOCKS5 proxy refused the connection: connection not allowed by ruleset "
                         "(reply 2)");
  }
  SUBCASE("nothing listens at the target") {
    check_tunnel_refused(Socks5Relay(socks(dante), "127.0.0.1", closed_port, false),
                         "SOCKS5 proxy refused the connection: connection refused by destination "
                         "host (reply 5)");
  }
  SUBCASE("nothing listens at the proxy") {
    const std::uint16_t no_proxy = free_port();
    check_tunnel_refused(
        Socks5Relay(ProxyOptions::parse("socks5://127.0.0.1:" + std::to_string(no_proxy)),
                    "127.0.0.1", broker.port(), false),
        "cannot reach SOCKS5 proxy 127.0.0.1:" + std::to_string(no_proxy) + ": connection refused");
  }
}

TEST_CASE("RFC 1929: dante accepts the right user name and password, refuses others") {
  SKIP_UNLESS(socks_user_unavailable());
  BrokerFixture broker;
  DanteProxy dante({.auth = true});
  SUBCASE("right password") {
    check_tunnel_works(Socks5Relay(socks(dante), "127.0.0.1", broker.port(), false));
  }
  SUBCASE("wrong password") {
    ProxyOptions proxy = socks(dante);
    proxy.password = "wrong";
    check_tunnel_refused(Socks5Relay(proxy, "127.0.0.1", broker.port(), false),
                         "SOCKS5 proxy rejected the user name or password");
  }
  SUBCASE("no credentials") {
    ProxyOptions proxy = socks(dante);
    proxy.username.reset();
    proxy.password.reset();
    check_tunnel_refused(Socks5Relay(proxy, "127.0.0.1", broker.port(), false),
                         "SOCKS5 proxy requires authentication: give user:password@ in the proxy URL");
  }
}

TEST_CASE("the relay reaches only its own target, and speaks only CONNECT") {
  BrokerFixture broker;
  Socks5Relay relay(ProxyOptions{}, broker.host(), broker.port(), false);
  // Whatever paho or anyone else names, the tunnel ends at the broker it was built for.
  const TunnelAttempt elsewhere = open_tunnel(relay, "192.0.2.1:22");
  CHECK(elsewhere.answer == connack_accepted);

  UniqueFd sock = connect_loopback(relay.port());
  send_text(sock.get(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(read_until(sock.get(), "\r\n\r\n").rfind("HTTP/1.1 405", 0) == 0);
}

TEST_CASE("destroying a relay ends its tunnels and an unfinished handshake promptly") {
  BrokerFixture broker;
  auto relay = std::make_unique<Socks5Relay>(ProxyOptions{}, broker.host(), broker.port(), false);
  UniqueFd idle = connect_loopback(relay->port());  // never sends its CONNECT
  // An idle connection holds up nobody: a tunnel opened after it works at once.
  const TunnelAttempt live = open_tunnel(*relay);
  REQUIRE(live.answer == connack_accepted);
  const auto start = std::chrono::steady_clock::now();
  relay.reset();
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  char c = 0;
  CHECK(::recv(idle.get(), &c, 1, 0) == 0);  // closed, not left hanging
  CHECK(::recv(live.sock.get(), &c, 1, 0) == 0);
}

TEST_CASE("Client round trip through SOCKS5 over tcp and websockets") {
  SKIP_UNLESS(dante_unavailable());
  BrokerFixture broker({.websockets = true});
  DanteProxy dante;
  for (const std::string& url : {broker.url(), broker.ws_url(),
                                 "mqtt://localhost:" + std::to_string(broker.port())}) {
    CAPTURE(url);
    ClientOptions options = options_for(url, unique_id("socks"));
    options.proxy = socks(dante, url.find("localhost") != std::string::npos);
    Client client(options);
    const ConnectResult result = client.connect();
    // paho still names the broker, not the relay ("127.0.0.1:PORT" without the scheme).
    CHECK(contains(result.server_uri,
                   options.broker.host + ":" + std::to_string(options.broker.port)));
    subscribe(client, "proxy/socks", 1);
    get_within(client.publish(make_message("proxy/socks", all_bytes(), 1)));
    CHECK(next_message(client).payload == all_bytes());
  }
}

TEST_CASE("TLS through SOCKS5 checks the broker's certificate against the broker's name") {
  SKIP_UNLESS(dante_unavailable());
  BrokerFixture broker({.tls = true});
  DanteProxy dante;
  const auto tls_options = [&](const std::string& host, const std::filesystem::path& ca) {
    ClientOptions options =
        options_for("mqtts://" + host + ":" + std::to_string(broker.tls_port()), unique_id("tls"));
    options.tls.ca_file = ca.string();
    options.proxy = socks(dante, true);
    return options;
  };
  Client client(tls_options("localhost", broker.ca_file()));
  client.connect();
  subscribe(client, "proxy/tls", 1);
  get_within(client.publish(make_message("proxy/tls", "sealed", 1)));
  CHECK(next_message(client).payload == "sealed");

  const auto wrong_ca = connect_failure(tls_options("localhost", broker.wrong_ca_file()));
  REQUIRE(wrong_ca.has_value());
  CHECK(wrong_ca->category == ErrorCategory::connect);
  CHECK(contains(wrong_ca->message, "TLS handshake with the broker failed"));

  // Through a plain port forward paho would check 127.0.0.1, which the certificate names.
  if (const auto alias = loopback_alias()) {
    const auto mismatch = connect_failure(tls_options(*alias, broker.ca_file()));
    CHECK_MESSAGE(mismatch.has_value(), *alias << " is not in the certificate: must be refused");
  } else {
    MESSAGE("no loopback alias for this host: name-mismatch check skipped");
  }
}

TEST_CASE("a refused SOCKS5 connect throws ConnectError naming the proxy and the reason") {
  SKIP_UNLESS(dante_unavailable());
  BrokerFixture broker;
  DanteProxy dante({.blocked_ports = {broker.port()}});
  ClientOptions options = options_for(broker, unique_id("refused"));
  options.proxy = socks(dante);
  const auto failure = connect_failure(options);
  REQUIRE(failure.has_value());
  CHECK(failure->category == ErrorCategory::connect);
  CHECK(contains(failure->message, "through proxy " + dante.url()));
  CHECK(contains(failure->message, "connection not allowed by ruleset (reply 2)"));
}
