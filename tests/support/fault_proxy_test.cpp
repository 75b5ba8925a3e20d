// FaultProxy against a real mosquitto: raw MQTT packets written through it (so every byte and
// every close is known), each fault as the client and the broker see it, and a real client pair
// (mosquitto_sub through the proxy, mosquitto_pub direct).

#include "support/fault_proxy.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "support/broker_fixture.hpp"
#include "support/process.hpp"

using namespace std::chrono_literals;
using namespace mqtk::test;

namespace {

// A minimal MQTT 3.1.1 CONNECT (clean session, keepalive 60) for client id `id` (< 100 bytes).
std::string connect_packet(const std::string& id) {
  std::string body{"\x00\x04MQTT\x04\x02\x00\x3c", 10};
  body += static_cast<char>(id.size() >> 8);
  body += static_cast<char>(id.size() & 0xff);
  body += id;
  return std::string{"\x10"} + static_cast<char>(body.size()) + body;
}
const std::string connack_accepted{"\x20\x02\x00\x00", 4};
const std::string pingreq{"\xc0\x00", 2};
const std::string pingresp{"\xd0\x00", 2};

// A QoS 0 PUBLISH of `payload` (< 100 bytes in all) to topic "t".
std::string publish_packet(const std::string& payload) {
  const std::string body = std::string{"\x00\x01t", 3} + payload;
  return std::string{"\x30"} + static_cast<char>(body.size()) + body;
}

// Connects to 127.0.0.1:port; an invalid Fd with errno set when refused.
UniqueFd dial(std::uint16_t port) {
  UniqueFd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(sock.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    return UniqueFd{};
  return sock;
}

void send_bytes(int fd, const std::string& data) {
  REQUIRE(::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size()));
}

struct Received {
  std::string bytes;
  bool closed = false;  // EOF or reset
  int error = 0;        // errno of a failed recv (ECONNRESET), 0 for a plain EOF
};

// Reads until `size` bytes arrived, the peer closed, or `timeout` passed.
Received receive(int fd, std::size_t size, std::chrono::milliseconds timeout = 5s) {
  Received r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (r.bytes.size() < size) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[256];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      r.closed = true;
      r.error = n < 0 ? errno : 0;
      break;
    }
    r.bytes.append(buffer, static_cast<std::size_t>(n));
  }
  return r;
}

// Polls `done` every 5 ms for up to 5 s.
template <typename Done>
bool poll_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A connection through the proxy on which CONNACK has arrived.
UniqueFd connected_client(const FaultProxy& proxy, const std::string& id) {
  UniqueFd sock = dial(proxy.port());
  REQUIRE(sock);
  send_bytes(sock.get(), connect_packet(id));
  REQUIRE(receive(sock.get(), 4).bytes == connack_accepted);
  return sock;
}

}  // namespace

TEST_CASE("the fault proxy relays MQTT both ways and counts connections and bytes") {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  UniqueFd client = connected_client(proxy, "fp-relay");
  send_bytes(client.get(), pingreq);
  CHECK(receive(client.get(), 2).bytes == pingresp);
  // The proxy counts a chunk once it is sent, which may be just after the client got it.
  const std::size_t expected_to_client = connack_accepted.size() + pingresp.size();
  poll_until([&] { return proxy.counters().bytes_to_client >= expected_to_client; });
  const FaultProxyCounters counters = proxy.counters();
  CHECK(counters.accepted == 1);
  CHECK(counters.live == 1);
  CHECK(counters.bytes_to_broker == connect_packet("fp-relay").size() + pingreq.size());
  CHECK(counters.bytes_to_client == expected_to_client);

  // Real clients: a subscriber through the proxy gets what is published straight to the broker.
  ChildProcess sub({"mosquitto_sub", "-h", proxy.host(), "-p", std::to_string(proxy.port()), "-i",
                    "fp-sub", "-t", "fp/#", "-C", "1", "-v"});
  REQUIRE(broker.wait_for_log("Sending SUBACK to fp-sub"));
  const ProcessResult pub = run_process({"mosquitto_pub", "-h", broker.host(), "-p",
                                         std::to_string(broker.port()), "-t", "fp/a", "-m", "hi"});
  REQUIRE(pub.ok());
  CHECK(sub.read_line(10s) == "fp/a hi");
  CHECK(proxy.counters().accepted == 2);
}

TEST_CASE("drop_all closes every live connection with an RST or a FIN") {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  UniqueFd a = connected_client(proxy, "fp-drop-a");
  UniqueFd b = connected_client(proxy, "fp-drop-b");
  proxy.drop_all(FaultProxy::Drop::reset);
  for (const int fd : {a.get(), b.get()}) {
    const Received r = receive(fd, 1);
    CHECK(r.closed);
    CHECK(r.error == ECONNRESET);
  }
  CHECK(proxy.counters().live == 0);
  REQUIRE(broker.wait_for_log("Client fp-drop-b closed its connection"));

  UniqueFd c = connected_client(proxy, "fp-drop-c");
  proxy.drop_all(FaultProxy::Drop::fin);
  const Received r = receive(c.get(), 1);
  CHECK(r.closed);
  CHECK(r.error == 0);
  CHECK(proxy.counters().accepted == 3);
}

TEST_CASE("a stalled proxy keeps the connection open and forwards nothing until released") {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  UniqueFd client = connected_client(proxy, "fp-stall");
  const FaultProxyCounters before = proxy.counters();
  proxy.stall(true);
  send_bytes(client.get(), pingreq);
  const Received during = receive(client.get(), 2, 500ms);
  CHECK(during.bytes.empty());
  CHECK_FALSE(during.closed);
  CHECK(proxy.counters().bytes_to_broker == before.bytes_to_broker);
  // New clients are accepted but hear nothing either.
  UniqueFd late = dial(proxy.port());
  REQUIRE(late);
  send_bytes(late.get(), connect_packet("fp-stall-late"));
  REQUIRE(proxy.wait_for_accepted(2));
  CHECK(receive(late.get(), 4, 300ms).bytes.empty());

  proxy.stall(false);
  CHECK(receive(client.get(), 2).bytes == pingresp);
  CHECK(receive(late.get(), 4).bytes == connack_accepted);
}

TEST_CASE("set_delay reads each chunk at once and forwards it later") {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  UniqueFd client = connected_client(proxy, "fp-delay");
  proxy.set_delay(500ms);
  const FaultProxyCounters before = proxy.counters();
  send_bytes(client.get(), pingreq);
  REQUIRE(poll_until([&] { return proxy.counters().bytes_from_client > before.bytes_from_client; }));
  // Read, but held: the broker has not got it yet.
  const FaultProxyCounters held = proxy.counters();
  CHECK(held.bytes_from_client == before.bytes_from_client + pingreq.size());
  CHECK(held.bytes_to_broker == before.bytes_to_broker);
  CHECK(receive(client.get(), 2).bytes == pingresp);
  CHECK(proxy.counters().bytes_to_broker == before.bytes_to_broker + pingreq.size());
}

TEST_CASE("cut_mid_packet forwards half of the next chunk, then resets the connection") {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  UniqueFd client = connected_client(proxy, "fp-cut");
  const FaultProxyCounters before = proxy.counters();
  proxy.cut_mid_packet(FaultProxy::Direction::to_broker);
  const std::string publish = publish_packet(std::string(60, 'x'));
  send_bytes(client.get(), publish);
  REQUIRE(proxy.wait_for_cuts(1));
  const Received r = receive(client.get(), 1);
  CHECK(r.closed);
  CHECK(r.error == ECONNRESET);
  const FaultProxyCounters after = proxy.counters();
  CHECK(after.bytes_to_broker - before.bytes_to_broker == publish.size() / 2);
  CHECK(after.live == 0);
  // The broker saw a truncated packet, then the connection end.
  CHECK(broker.wait_for_log("Client fp-cut closed its connection"));

  // The cut is used up: the next connection relays whole packets.
  UniqueFd next = connected_client(proxy, "fp-cut-2");
  send_bytes(next.get(), pingreq);
  CHECK(receive(next.get(), 2).bytes == pingresp);
}

TEST_CASE("refuse closes the listener and reopens it on the same port") {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  const std::uint16_t port = proxy.port();
  proxy.refuse(true);
  errno = 0;
  CHECK_FALSE(dial(port));
  CHECK(errno == ECONNREFUSED);
  proxy.refuse(false);
  CHECK(proxy.port() == port);
  UniqueFd client = connected_client(proxy, "fp-refuse");
  CHECK(proxy.counters().accepted == 1);
}

TEST_CASE("the proxy can listen on another loopback address") {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port(), "127.0.0.2");
  CHECK(proxy.host() == "127.0.0.2");
  UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(proxy.port());
  REQUIRE(::inet_pton(AF_INET, "127.0.0.2", &address.sin_addr) == 1);
  REQUIRE(::connect(client.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) ==
          0);
  send_bytes(client.get(), connect_packet("fp-other-address"));
  CHECK(receive(client.get(), 4).bytes == connack_accepted);
}

TEST_CASE("a client of the proxy is reset when the broker is down") {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  broker.kill();
  UniqueFd client = dial(proxy.port());
  REQUIRE(client);
  const Received r = receive(client.get(), 1);
  CHECK(r.closed);
  CHECK(proxy.counters().accepted == 0);
  broker.start();
  UniqueFd again = connected_client(proxy, "fp-back");
  CHECK(proxy.counters().accepted == 1);
}
