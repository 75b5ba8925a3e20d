#include "core/proxy_route.hpp"

#include <cstdlib>
#include "core/http_connect.hpp"
#include "core/socket_io.hpp"

namespace mqtk {
namespace {

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

// paho reports a refused CONNECT only as "TCP/TLS connect failure": ask the proxy ourselves.
std::string probe_http_proxy(const ProxyOptions& proxy, const std::string& host,
                             std::uint16_t port, std::chrono::milliseconds timeout) {
  try {
    detail::http_connect(proxy, host, port, std::chrono::steady_clock::now() + timeout, -1);
  } catch (const detail::SocketError& e) {
    return e.what();
  }
  return {};
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
  return out + detail::host_and_port(proxy.host, proxy.port);
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

std::string proxy_display(const ProxyOptions& proxy) {
  switch (proxy.kind) {
    case ProxyKind::http: return "http://" + detail::host_and_port(proxy.host, proxy.port);
    case ProxyKind::socks5:
      return (proxy.remote_dns ? "socks5h://" : "socks5://") + detail::host_and_port(proxy.host, proxy.port);
    case ProxyKind::none: break;
  }
  return {};
}

std::string ProxyRoute::proxy_display() const { return mqtk::proxy_display(proxy_); }

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
