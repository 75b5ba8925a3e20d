#pragma once
// Internal to the core: notices a stalled connection (still open, but nothing comes from the
// broker) within 1.5x the keepalive. paho.mqtt.c 1.3 alone needs up to twice the keepalive plus
// its check cadence (2.7x measured with -k 5): it sends PINGREQ after a keepalive without
// traffic and gives up a whole keepalive after that PINGREQ went unanswered. Sending paho a
// smaller keepalive would change what -k puts in CONNECT (mosquitto_sub's meaning), so instead
// the core watches paho's socket from outside.
//
// paho exposes neither its socket nor the PINGRESPs it receives. The watch therefore finds the
// socket itself (the one TCP socket of this process that appeared during the connect and leads
// to the port paho connected to) and asks the kernel how long it has received nothing
// (TCP_INFO: tcpi_last_data_recv). A healthy connection always receives something within one
// keepalive plus paho's ~1 s check cadence, because paho's PINGREQ is answered; longer silence
// means the broker or the path has stopped. The watch then shuts the socket down (the descriptor
// stays paho's: never closed here) and paho reports the connection lost as for a reset, so the
// usual reconnect follows. When the socket cannot be told apart from another one (two clients
// of this process connecting to the same port at the same time), the watch stays inactive and
// paho's own keepalive is all there is.

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace mqtk::detail {

// The socket descriptors open in this process, each with its inode (a descriptor number can be
// reused by another socket later; the inode tells them apart).
using SocketSnapshot = std::vector<std::pair<int, ino_t>>;
SocketSnapshot snapshot_sockets();

class LivenessWatch {
 public:
  LivenessWatch() = default;  // inactive

  // How long a connection with this keepalive may stay silent before the watch cuts it, and how
  // often to look: together at most 1.5x the keepalive, and never less than the keepalive plus
  // 2 s (what a healthy connection can take to answer paho's ping). Zero keepalive: no limit.
  static std::chrono::milliseconds silence_limit(std::chrono::seconds keepalive);
  static std::chrono::milliseconds check_period(std::chrono::seconds keepalive);

  // The socket opened since `before` that is connected to `peer_port`; inactive unless there is
  // exactly one.
  static LivenessWatch find(const SocketSnapshot& before, std::uint16_t peer_port,
                            std::chrono::milliseconds silence_limit);

  bool active() const noexcept { return fd_ >= 0; }
  // Nothing received for the silence limit while nothing of ours is being acknowledged either (a
  // large upload to a live broker gets TCP acknowledgements without MQTT replies; a stall or a
  // dead path gets neither). False once the socket is gone.
  bool stalled() const;
  // How long the socket has received nothing, as the kernel counts it; zero when gone.
  std::chrono::milliseconds silence() const;
  std::chrono::milliseconds limit() const noexcept { return limit_; }
  // "the broker sent nothing for 7.4 s (keepalive 5 s): connection stalled"
  std::string describe_stall(std::chrono::seconds keepalive) const;
  // Shuts the socket down in both directions, so paho's next read sees the end of the stream.
  void cut() const;

 private:
  LivenessWatch(int fd, ino_t inode, std::chrono::milliseconds limit)
      : fd_(fd), inode_(inode), limit_(limit) {}
  bool still_same_socket() const;

  int fd_ = -1;
  ino_t inode_ = 0;
  std::chrono::milliseconds limit_{0};
};

}  // namespace mqtk::detail
