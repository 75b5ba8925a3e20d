#include "core/socket_io.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mqtk::detail {
namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const noexcept { freeaddrinfo(info); }
};

int remaining_ms(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, 60'000));
}

}  // namespace

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int Fd::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void Fd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

std::string describe_errno(int error) {
  std::string text = std::strerror(error);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void wait_for(int fd, short events, Deadline deadline, int wake_fd) {
  for (;;) {
    std::array<pollfd, 2> fds{{{fd, events, 0}, {wake_fd, POLLIN, 0}}};
    const int n = ::poll(fds.data(), wake_fd >= 0 ? 2 : 1, remaining_ms(deadline));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SocketError(describe_errno(errno));
    }
    if (wake_fd >= 0 && fds[1].revents) throw SocketStopped();
    if (fds[0].revents) return;  // ready, or an error the next call reports precisely
    if (std::chrono::steady_clock::now() >= deadline) throw SocketError("timed out");
  }
}

Fd connect_tcp(const std::string& host, std::uint16_t port, Deadline deadline, int wake_fd) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw);
  if (rc != 0) throw SocketError("could not resolve host '" + host + "': " + gai_strerror(rc));
  const std::unique_ptr<addrinfo, AddrInfoDeleter> addresses(raw);
  std::string last_error = "no address";
  for (const addrinfo* a = addresses.get(); a; a = a->ai_next) {
    Fd sock(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (!sock) {
      last_error = describe_errno(errno);
      continue;
    }
    if (::connect(sock.get(), a->ai_addr, a->ai_addrlen) == 0) return sock;
    if (errno != EINPROGRESS) {
      last_error = describe_errno(errno);
      continue;
    }
    wait_for(sock.get(), POLLOUT, deadline, wake_fd);
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error == 0) return sock;
    last_error = describe_errno(error);
  }
  throw SocketError(last_error);
}

Fd connect_to_proxy(const std::string& where, const std::string& host, std::uint16_t port,
                    Deadline deadline, int wake_fd) {
  try {
    return connect_tcp(host, port, deadline, wake_fd);
  } catch (const SocketStopped&) {
    throw;
  } catch (const SocketError& e) {
    throw SocketError("cannot reach " + where + ": " + e.what());
  }
}

std::string host_and_port(const std::string& host, std::uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

void send_all(int fd, std::string_view data, Deadline deadline, int wake_fd) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_for(fd, POLLOUT, deadline, wake_fd);
    } else if (n < 0 && errno != EINTR) {
      throw SocketError(describe_errno(errno));
    }
  }
}

void recv_exact(int fd, void* out, std::size_t size, Deadline deadline, int wake_fd) {
  auto* bytes = static_cast<unsigned char*>(out);
  while (size > 0) {
    const ssize_t n = ::recv(fd, bytes, size, 0);
    if (n > 0) {
      bytes += n;
      size -= static_cast<std::size_t>(n);
    } else if (n == 0) {
      throw SocketError("the connection was closed");
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_for(fd, POLLIN, deadline, wake_fd);
    } else if (errno != EINTR) {
      throw SocketError(describe_errno(errno));
    }
  }
}

void recv_until(int fd, std::string& out, std::string_view terminator, std::size_t limit,
                Deadline deadline, int wake_fd) {
  while (out.find(terminator) == std::string::npos) {
    if (out.size() >= limit) throw SocketError("header longer than " + std::to_string(limit) + " bytes");
    char c = 0;
    recv_exact(fd, &c, 1, deadline, wake_fd);
    out += c;
  }
}

}  // namespace mqtk::detail
