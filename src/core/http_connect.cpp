#include "core/http_connect.hpp"

#include <openssl/evp.h>
#include <vector>

namespace mqtk::detail {
namespace {

std::string base64(const std::string& text) {
  std::vector<unsigned char> out(4 * ((text.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

}  // namespace

Fd http_connect(const ProxyOptions& proxy, const std::string& host, std::uint16_t port,
                Deadline deadline, int wake_fd) {
  const std::string where = "HTTP proxy " + host_and_port(proxy.host, proxy.port);
  Fd sock = connect_to_proxy(where, proxy.host, proxy.port, deadline, wake_fd);
  const std::string target = host_and_port(host, port);
  std::string request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (proxy.username)
    request += "Proxy-Authorization: Basic " +
               base64(*proxy.username + ":" + proxy.password.value_or("")) + "\r\n";
  request += "\r\n";
  std::string response;
  try {
    send_all(sock.get(), request, deadline, wake_fd);
    // Up to the end of the header block and not a byte further: what follows is the broker's.
    recv_until(sock.get(), response, "\r\n\r\n", 16 * 1024, deadline, wake_fd);
  } catch (const SocketStopped&) {
    throw;
  } catch (const SocketError& e) {
    if (response.find("\r\n") == std::string::npos)
      throw SocketError(where + " did not answer CONNECT: " + e.what());
  }
  const std::string status = response.substr(0, response.find("\r\n"));
  const auto space = status.find(' ');
  const std::string code_and_reason = space == std::string::npos ? status : status.substr(space + 1);
  if (code_and_reason.rfind("200", 0) == 0) {
    if (!response.ends_with("\r\n\r\n")) throw SocketError(where + " did not finish its answer to CONNECT");
    return sock;
  }
  if (code_and_reason.rfind("407", 0) == 0)
    throw SocketError(where +
                      (proxy.username ? " rejected the user name or password"
                                      : " requires authentication: give user:password@ in the proxy URL") +
                      " (" + code_and_reason + ")");
  throw SocketError(where + " refused CONNECT to " + target + ": " + code_and_reason);
}

}  // namespace mqtk::detail
