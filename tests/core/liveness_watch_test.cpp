// The liveness watch on real loopback sockets: which socket it picks, when it calls a silent one
// stalled, and that cutting it ends the stream for both ends. The end-to-end case (mqtk sub
// through a stalled proxy) is tests/faults/keepalive_test.cpp.

#include "core/liveness_watch.hpp"
#include "core/socket_io.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <chrono>
#include <fcntl.h>
#include <string>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using mqtk::detail::Fd;
using mqtk::detail::LivenessWatch;
using mqtk::detail::snapshot_sockets;
using namespace std::chrono_literals;

namespace {

struct LivenessListener {
  Fd socket;
  std::uint16_t port = 0;

  LivenessListener() : socket(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(socket.get(), 8) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port = ntohs(address.sin_port);
  }

  Fd connect_client() const {
    Fd client(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    REQUIRE(::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    return client;
  }

  Fd accept_one() const { return Fd(::accept(socket.get(), nullptr, nullptr)); }
};

// A connection made after a snapshot, and the watch found for it.
struct WatchedConnection {
  LivenessListener listener;
  mqtk::detail::SocketSnapshot before = snapshot_sockets();
  Fd client = listener.connect_client();
  Fd accepted = listener.accept_one();
  LivenessWatch watch;

  explicit WatchedConnection(std::chrono::milliseconds limit)
      : watch(LivenessWatch::find(before, listener.port, limit)) {
    REQUIRE(watch.active());
  }
};

}  // namespace

TEST_CASE("the silence limit is 1.5x the keepalive, never below keepalive + 2 s") {
  CHECK(LivenessWatch::check_period(5s) == 100ms);
  CHECK(LivenessWatch::silence_limit(5s) == 7300ms);
  CHECK(LivenessWatch::check_period(60s) == 1000ms);
  CHECK(LivenessWatch::silence_limit(60s) == 88000ms);
  // Small keepalives (library users may set them): a healthy answer can take keepalive + ~1 s.
  CHECK(LivenessWatch::silence_limit(2s) == 4000ms);
  CHECK(LivenessWatch::silence_limit(0s) == 0ms);
}

TEST_CASE("find picks the one new socket connected to the port, and nothing when ambiguous") {
  LivenessListener listener;
  const auto before = snapshot_sockets();
  Fd client = listener.connect_client();
  Fd accepted = listener.accept_one();  // new too, but its peer is the client's port
  const LivenessWatch watch = LivenessWatch::find(before, listener.port, 300ms);
  CHECK(watch.active());
  CHECK_FALSE(LivenessWatch::find(snapshot_sockets(), listener.port, 300ms).active());
  CHECK_FALSE(LivenessWatch::find(before, listener.port, 0ms).active());

  Fd second = listener.connect_client();
  Fd second_accepted = listener.accept_one();
  CHECK_FALSE(LivenessWatch::find(before, listener.port, 300ms).active());
}

TEST_CASE("a socket that receives nothing for the limit is stalled; data resets the silence") {
  WatchedConnection connection(300ms);
  auto& [listener, before, client, accepted, watch] = connection;
  CHECK_FALSE(watch.stalled());
  // Our own writes that the peer's kernel acknowledges do not count as hearing from the peer.
  REQUIRE(::send(client.get(), "ping", 4, 0) == 4);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!watch.stalled() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  CHECK(watch.stalled());
  CHECK(watch.silence() >= 300ms);
  CHECK(watch.describe_stall(5s).find("(keepalive 5 s): connection stalled") != std::string::npos);

  REQUIRE(::send(accepted.get(), "x", 1, 0) == 1);  // unread by the client: the kernel saw it
  const auto reset_deadline = std::chrono::steady_clock::now() + 5s;
  while (watch.stalled() && std::chrono::steady_clock::now() < reset_deadline)
    std::this_thread::sleep_for(5ms);
  CHECK_FALSE(watch.stalled());
}

TEST_CASE("cut ends the stream for both ends without closing the descriptor") {
  WatchedConnection connection(300ms);
  auto& [listener, before, client, accepted, watch] = connection;
  watch.cut();
  char byte = 0;
  CHECK(::recv(accepted.get(), &byte, 1, 0) == 0);  // the peer sees the end of the stream
  CHECK(::recv(client.get(), &byte, 1, 0) == 0);    // so does the owner's next read
  CHECK(::fcntl(client.get(), F_GETFD) != -1);      // still open: the owner closes it
}

TEST_CASE("a descriptor reused by another socket is left alone") {
  WatchedConnection connection(1ms);
  auto& [listener, before, client, accepted, watch] = connection;
  Fd fresh = listener.connect_client();
  Fd reused_peer = listener.accept_one();
  const int number = client.get();
  client.reset();
  REQUIRE(::dup2(fresh.get(), number) == number);  // the watched number, now another socket
  Fd reused(number);
  fresh.reset();
  std::this_thread::sleep_for(20ms);
  CHECK_FALSE(watch.stalled());
  watch.cut();
  REQUIRE(::send(reused_peer.get(), "y", 1, 0) == 1);
  char byte = 0;
  CHECK(::recv(reused.get(), &byte, 1, 0) == 1);  // not shut down
}
