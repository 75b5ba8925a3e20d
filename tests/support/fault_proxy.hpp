#pragma once
// A TCP relay between a client under test and a broker, on a free loopback port, that the test
// drives in-process to inject network faults: drop every connection (RST or FIN), stall (a hung
// network: sockets stay open, nothing moves), delay, cut mid-packet, refuse new connections.
// Every call returns once the relay thread has applied it, so a test can fault, then act.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace mqtk::test {

struct FaultProxyCounters {
  std::size_t accepted = 0;  // client connections accepted (refused ones not counted)
  std::size_t live = 0;      // relayed connections open now
  std::size_t bytes_to_broker = 0;  // forwarded
  std::size_t bytes_to_client = 0;
  std::size_t bytes_from_client = 0;  // read, whether forwarded yet (set_delay, stall) or not
  std::size_t bytes_from_broker = 0;
  std::size_t cuts = 0;  // connections ended by cut_mid_packet()
};

class FaultProxy {
 public:
  enum class Drop { reset, fin };
  enum class Direction { any, to_broker, to_client };

  // Starts relaying listen_host:port() to target_host:target_port (connected per client, when
  // the client connects; a target that refuses closes the client's connection at once).
  // listen_host is an IPv4 loopback address; another than the broker's (127.0.0.2) makes a
  // name its certificate does not carry.
  FaultProxy(std::string target_host, std::uint16_t target_port,
             std::string listen_host = "127.0.0.1");
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;
  FaultProxy(FaultProxy&&) = delete;
  FaultProxy& operator=(FaultProxy&&) = delete;

  std::string host() const { return listen_host_; }
  std::uint16_t port() const noexcept { return port_; }

  // Closes every live connection on both sides: with an RST (SO_LINGER 0), or a FIN.
  void drop_all(Drop how = Drop::reset);
  // While stalled nothing is read or forwarded on any connection, old or new (new clients are
  // still accepted and connected upstream): the peers see a silent, open connection.
  void stall(bool stalled);
  // Holds each chunk read this long before forwarding it (applies to chunks read from now on).
  void set_delay(std::chrono::milliseconds delay);
  // The next chunk read in `direction` is forwarded only in part (half of it, rounded down),
  // then that connection is closed with an RST on both sides. Armed until such a chunk comes.
  void cut_mid_packet(Direction direction = Direction::any);
  // While refusing, the listening socket is closed (connect: "connection refused"); on
  // refuse(false) it listens again on the same port.
  void refuse(bool refusing);

  FaultProxyCounters counters() const;
  // Polls counters() until `accepted` reaches `count`; false at the timeout.
  bool wait_for_accepted(std::size_t count,
                         std::chrono::milliseconds timeout = std::chrono::seconds{10}) const;
  bool wait_for_cuts(std::size_t count,
                     std::chrono::milliseconds timeout = std::chrono::seconds{10}) const;

 private:
  struct Relay;
  std::string listen_host_;
  std::unique_ptr<Relay> relay_;
  std::uint16_t port_ = 0;
};

}  // namespace mqtk::test
