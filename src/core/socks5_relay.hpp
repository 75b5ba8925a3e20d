#pragma once
// Internal to the core: a loopback endpoint that paho uses as its HTTP CONNECT proxy and that
// carries every tunnel to one fixed target through a SOCKS5 proxy (RFC 1928, RFC 1929 auth), or
// directly when proxy.kind is ProxyKind::none. See socks5_relay.cpp for why it exists.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <mqtk/client_options.hpp>

namespace mqtk {

class Socks5Relay {
 public:
  // Listens on 127.0.0.1 (an ephemeral port) and serves tunnels on its own threads until
  // destroyed. remote_dns: send target_host to the proxy as a name (socks5h); otherwise resolve
  // it here and send the address. Throws UsageError for credentials SOCKS5 cannot carry (over
  // 255 bytes) and Error(runtime) when the listening socket cannot be set up.
  Socks5Relay(const ProxyOptions& proxy, std::string target_host, std::uint16_t target_port,
              bool remote_dns);
  ~Socks5Relay();
  Socks5Relay(const Socks5Relay&) = delete;
  Socks5Relay& operator=(const Socks5Relay&) = delete;
  Socks5Relay(Socks5Relay&&) = delete;
  Socks5Relay& operator=(Socks5Relay&&) = delete;

  std::uint16_t port() const noexcept;

  // Why the most recent tunnel could not be opened, e.g. "SOCKS5 proxy refused the connection:
  // connection refused by destination host (reply 5)"; empty once a later tunnel opened.
  std::string last_error() const;

  // Tunnels opened so far (for tests and -d output).
  std::size_t tunnels_opened() const noexcept;

  // Waits until every tunnel has passed on all its client sent and the client has closed, or
  // `timeout` passed; true when nothing is left in flight towards the target.
  bool flush(std::chrono::milliseconds timeout) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqtk
