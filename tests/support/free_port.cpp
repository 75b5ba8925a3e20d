#include "support/free_port.hpp"

#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <system_error>

#include "support/process.hpp"

namespace mqtk::test {

std::uint16_t free_port() {
  UniqueFd sock{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (!sock) throw std::system_error(errno, std::generic_category(), "socket");
  // SO_REUSEADDR like mosquitto's own bind, so this probe's socket never blocks that bind.
  const int enable = 1;
  ::setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &enable, sizeof enable);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(sock.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
  }
  socklen_t length = sizeof address;
  if (::getsockname(sock.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::system_error(errno, std::generic_category(), "getsockname");
  }
  return ntohs(address.sin_port);
}

}  // namespace mqtk::test
