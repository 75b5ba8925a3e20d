#include "core/socks5_client.hpp"

#include <arpa/inet.h>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <vector>

namespace mqtk::detail {
namespace {

template <std::size_t N>
std::string bytes(const unsigned char (&data)[N]) {
  return std::string(reinterpret_cast<const char*>(data), N);
}

// ATYP and DST.ADDR of the CONNECT request.
std::string encode_target(const std::string& host, bool remote_dns) {
  unsigned char v4[4];
  unsigned char v6[16];
  if (::inet_pton(AF_INET, host.c_str(), v4) == 1) return '\x01' + bytes(v4);
  if (::inet_pton(AF_INET6, host.c_str(), v6) == 1) return '\x04' + bytes(v6);
  if (remote_dns) return std::string{'\x03', static_cast<char>(host.size())} + host;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  if (rc != 0)
    throw SocketError("could not resolve host '" + host + "': " + gai_strerror(rc) +
                      " (with socks5h:// the proxy resolves it)");
  const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> found(raw, &freeaddrinfo);
  if (found->ai_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6*>(found->ai_addr)->sin6_addr;
    return '\x04' + std::string(reinterpret_cast<const char*>(&a), sizeof a);
  }
  const auto& a = reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr;
  return '\x01' + std::string(reinterpret_cast<const char*>(&a), sizeof a);
}

// RFC 1928 section 3 method selection, then RFC 1929 when the proxy picks user name/password.
void authenticate(int fd, const ProxyOptions& proxy, Deadline deadline, int wake_fd) {
  const bool have_credentials = proxy.username.has_value();
  send_all(fd, have_credentials ? std::string("\x05\x02\x00\x02", 4) : std::string("\x05\x01\x00", 3),
           deadline, wake_fd);
  unsigned char choice[2] = {};
  recv_exact(fd, choice, sizeof choice, deadline, wake_fd);
  if (choice[0] != 5)
    throw SocketError("SOCKS5 proxy answered with protocol version " + std::to_string(choice[0]) +
                      " (is it a SOCKS5 proxy?)");
  if (choice[1] == 0x00) return;
  if (choice[1] == 0xFF)
    throw SocketError(have_credentials
                          ? "SOCKS5 proxy accepts neither no authentication nor user name/password"
                          : "SOCKS5 proxy requires authentication: give user:password@ in the "
                            "proxy URL");
  if (choice[1] != 0x02 || !have_credentials)
    throw SocketError("SOCKS5 proxy chose authentication method " + std::to_string(choice[1]) +
                      ", which was not offered");
  const std::string& user = *proxy.username;
  const std::string password = proxy.password.value_or("");
  std::string request{'\x01', static_cast<char>(user.size())};
  request += user;
  request += static_cast<char>(password.size());
  request += password;
  send_all(fd, request, deadline, wake_fd);
  unsigned char status[2] = {};
  recv_exact(fd, status, sizeof status, deadline, wake_fd);
  if (status[1] != 0) throw SocketError("SOCKS5 proxy rejected the user name or password");
}

// RFC 1928 section 4 CONNECT and its section 6 reply.
void request_connect(int fd, const std::string& target, std::uint16_t port, Deadline deadline,
                     int wake_fd) {
  std::string request{'\x05', '\x01', '\x00'};
  request += target;
  request += static_cast<char>(port >> 8);
  request += static_cast<char>(port & 0xFF);
  send_all(fd, request, deadline, wake_fd);
  unsigned char head[4] = {};
  recv_exact(fd, head, sizeof head, deadline, wake_fd);
  if (head[0] != 5)
    throw SocketError("SOCKS5 proxy answered with protocol version " + std::to_string(head[0]));
  if (head[1] != 0)
    throw SocketError("SOCKS5 proxy refused the connection: " + describe_socks5_reply(head[1]) +
                      " (reply " + std::to_string(head[1]) + ")");
  std::size_t address_size = 0;
  if (head[3] == 1) {
    address_size = 4;
  } else if (head[3] == 4) {
    address_size = 16;
  } else if (head[3] == 3) {
    unsigned char length = 0;
    recv_exact(fd, &length, 1, deadline, wake_fd);
    address_size = length;
  } else {
    throw SocketError("SOCKS5 proxy sent an unknown address type " + std::to_string(head[3]));
  }
  std::vector<unsigned char> bound(address_size + 2);  // BND.ADDR and BND.PORT, not needed
  recv_exact(fd, bound.data(), bound.size(), deadline, wake_fd);
}

}  // namespace

std::string describe_socks5_reply(int reply) {
  switch (reply) {
    case 1: return "general SOCKS server failure";
    case 2: return "connection not allowed by ruleset";
    case 3: return "network unreachable";
    case 4: return "host unreachable";
    case 5: return "connection refused by destination host";
    case 6: return "TTL expired";
    case 7: return "command not supported";
    case 8: return "address type not supported";
    default: return "unknown reply code";
  }
}

Fd socks5_connect(const ProxyOptions& proxy, const std::string& host, std::uint16_t port,
                  bool remote_dns, Deadline deadline, int wake_fd) {
  const std::string target = encode_target(host, remote_dns);  // a lookup failure is ours
  const std::string where = "SOCKS5 proxy " + host_and_port(proxy.host, proxy.port);
  Fd sock = connect_to_proxy(where, proxy.host, proxy.port, deadline, wake_fd);
  try {
    authenticate(sock.get(), proxy, deadline, wake_fd);
    request_connect(sock.get(), target, port, deadline, wake_fd);
  } catch (const SocketStopped&) {
    throw;
  } catch (const SocketError& e) {
    const std::string what = e.what();
    if (what.rfind("SOCKS5 proxy", 0) == 0) throw;
    // Transport trouble mid-handshake: "the connection was closed", "timed out".
    throw SocketError(where + " failed during the handshake: " + what);
  }
  return sock;
}

}  // namespace mqtk::detail
