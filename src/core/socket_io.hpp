#pragma once
// Internal to the core: blocking-with-deadline socket steps for the proxy code (SOCKS5 relay,
// HTTP proxy probe) and for building the native engine's connections (core/stream_opener.hpp). Every wait also watches an optional wake descriptor so a relay's owner can
// stop it mid-handshake. Failures throw SocketError with a short lower-case reason.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mqtk::detail {

using Deadline = std::chrono::steady_clock::time_point;

class SocketError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The wake descriptor became readable: the owner is shutting down.
class SocketStopped : public SocketError {
 public:
  SocketStopped() : SocketError("stopped") {}
};

// An owned file descriptor, closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept;
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// Waits until `fd` has one of `events` (POLLIN/POLLOUT); throws on timeout or wake.
void wait_for(int fd, short events, Deadline deadline, int wake_fd);

// A non-blocking TCP connection to host:port, trying each resolved address in turn.
Fd connect_tcp(const std::string& host, std::uint16_t port, Deadline deadline, int wake_fd);
// connect_tcp to a proxy: a failure says "cannot reach <where>: <reason>".
Fd connect_to_proxy(const std::string& where, const std::string& host, std::uint16_t port,
                    Deadline deadline, int wake_fd);

// "host:port", IPv6 literals bracketed.
std::string host_and_port(const std::string& host, std::uint16_t port);

void send_all(int fd, std::string_view data, Deadline deadline, int wake_fd);
// Exactly `size` bytes; the peer closing first is an error.
void recv_exact(int fd, void* out, std::size_t size, Deadline deadline, int wake_fd);
// Appends to `out` until it contains `terminator` (an HTTP header block), at most `limit` bytes.
// Reads byte by byte so nothing past the terminator is consumed.
void recv_until(int fd, std::string& out, std::string_view terminator, std::size_t limit,
                Deadline deadline, int wake_fd);

// strerror(error) in lower case ("connection refused"), as the rest of mqtk's messages.
std::string describe_errno(int error);

}  // namespace mqtk::detail
