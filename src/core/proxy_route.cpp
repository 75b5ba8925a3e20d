#include "core/proxy_route.hpp"

#include <cstdlib>
#include <openssl/evp.h>
#include <vector>

#include "core/socket_io.hpp"

namespace mqtk {
namespace {

std::string host_port(const std::string& host, std::uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string percent_encode(const std::string& text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                            (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += hex[byte >> 4];
      out += hex[byte & 0x0F];
    }
  }
  return out;
}

std::string base64(const std::string& text) {
  std::vector<unsigned char> out(4 * ((text.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

// paho reports a refused CONNECT only as "TCP/TLS connect failure": ask the proxy ourselves.
std::string probe_http_proxy(const ProxyOptions& proxy, const std::string& host,
                             std::uint16_t port, std::chrono::milliseconds timeout) {
  const detail::Deadline deadline = std::chrono::steady_clock::now() + timeout;
  const std::string where = "HTTP proxy " + host_port(proxy.host, proxy.port);
  detail::Fd sock;
  try {
    sock = detail::connect_tcp(proxy.host, proxy.port, deadline, -1);
  } catch (const detail::SocketError& e) {
    return "cannot reach " + where + ": " + e.what();
  }
  const std::string target = host_port(host, port);
  std::string request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (proxy.username)
    request += "Proxy-Authorization: Basic " +
               base64(*proxy.username + ":" + proxy.password.value_or("")) + "\r\n";
  request += "\r\n";
  std::string status;
  try {
    detail::send_all(sock.get(), request, deadline, -1);
    detail::recv_until(sock.get(), status, "\r\n", 1024, deadline, -1);
  } catch (const detail::SocketError& e) {
    return where + " did not answer CONNECT: " + e.what();
  }
  status.resize(status.size() - 2);
  const auto space = status.find(' ');
  const std::string code_and_reason = space == std::string::npos ? status : status.substr(space + 1);
  if (code_and_reason.rfind("200", 0) == 0) return {};
  if (code_and_reason.rfind("407", 0) == 0)
    return where +
           (proxy.username ? " rejected the user name or password"
                           : " requires authentication: give user:password@ in the proxy URL") +
           " (" + code_and_reason + ")";
  return where + " refused CONNECT to " + target + ": " + code_and_reason;
}

}  // namespace

bool environment_sets_paho_proxy() {
  return std::getenv("http_proxy") != nullptr || std::getenv("https_proxy") != nullptr;
}

std::string paho_proxy_string(const ProxyOptions& proxy) {
  std::string out;
  if (proxy.username) {
    out += percent_encode(*proxy.username);
    if (proxy.password) {
      out += ':';  // not ":" + std::string&&: GCC 12 -O2 warns falsely on it (PR105651)
      out += percent_encode(*proxy.password);
    }
    out += "@";
  }
  return out + host_port(proxy.host, proxy.port);
}

ProxyRoute::ProxyRoute(const ClientOptions& options)
    : proxy_(options.proxy),
      target_host_(options.broker.host),
      target_port_(options.broker.port),
      tls_(uses_tls(options)) {
  switch (proxy_.kind) {
    case ProxyKind::http:
      paho_proxy_ = paho_proxy_string(proxy_);
      break;
    case ProxyKind::socks5:
      relay_ = std::make_unique<Socks5Relay>(proxy_, target_host_, target_port_, proxy_.remote_dns);
      break;
    case ProxyKind::none:
      // paho parses both variables on every connect, whichever one it then uses, so either one
      // being set means paho must be given a proxy: a relay that goes straight to the broker.
      if (environment_sets_paho_proxy())
        relay_ = std::make_unique<Socks5Relay>(ProxyOptions{}, target_host_, target_port_, false);
      break;
  }
  if (relay_) paho_proxy_ = "127.0.0.1:" + std::to_string(relay_->port());
}

std::uint16_t ProxyRoute::paho_peer_port() const noexcept {
  if (relay_) return relay_->port();
  if (proxy_.kind == ProxyKind::http) return proxy_.port;
  return target_port_;
}

std::string ProxyRoute::proxy_display() const {
  switch (proxy_.kind) {
    case ProxyKind::http: return "http://" + host_port(proxy_.host, proxy_.port);
    case ProxyKind::socks5:
      return (proxy_.remote_dns ? "socks5h://" : "socks5://") + host_port(proxy_.host, proxy_.port);
    case ProxyKind::none: break;
  }
  return {};
}

std::string ProxyRoute::diagnose_failure(std::chrono::milliseconds timeout) const {
  std::string why;
  if (proxy_.kind == ProxyKind::http) why = probe_http_proxy(proxy_, target_host_, target_port_, timeout);
  else if (relay_) why = relay_->last_error();
  // The tunnel opened, so paho's "TCP/TLS connect failure" was the TLS part.
  if (why.empty() && tls_ && proxy_.kind != ProxyKind::none)
    why = "the proxy opened the tunnel, but the TLS handshake with the broker failed (is the "
          "certificate trusted, and issued for '" + target_host_ + "'?)";
  return why;
}

}  // namespace mqtk
