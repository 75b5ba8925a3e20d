#include "core/network_diagnosis.hpp"

#include "core/socket_io.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mqtk {
namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const noexcept { freeaddrinfo(info); }
};

// Empty on success, else strerror of the failure.
std::string try_connect(const addrinfo& address, std::chrono::milliseconds timeout) {
  detail::Fd sock(::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK, address.ai_protocol));
  if (sock.get() < 0) return std::strerror(errno);
  if (::connect(sock.get(), address.ai_addr, address.ai_addrlen) == 0) return {};
  if (errno != EINPROGRESS) return std::strerror(errno);
  pollfd ready{sock.get(), POLLOUT, 0};
  const int n = ::poll(&ready, 1, static_cast<int>(timeout.count()));
  if (n == 0) return "timed out after " + std::to_string(timeout.count()) + " ms";
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &error, &length);
  return error == 0 ? std::string() : std::string(std::strerror(error));
}

}  // namespace

std::string diagnose_tcp_connect(const std::string& host, std::uint16_t port,
                                 std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw);
  if (rc != 0) return "could not resolve host '" + host + "': " + gai_strerror(rc);
  std::unique_ptr<addrinfo, AddrInfoDeleter> addresses(raw);
  std::string last_error;
  for (const addrinfo* a = addresses.get(); a; a = a->ai_next) {
    last_error = try_connect(*a, timeout);
    if (last_error.empty()) return {};
  }
  for (char& c : last_error) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return last_error;
}

}  // namespace mqtk
