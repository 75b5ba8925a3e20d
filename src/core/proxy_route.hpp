#pragma once
// Internal to the core: how paho reaches the broker. paho.mqtt.c 1.3.12 speaks only HTTP CONNECT
// and, when its proxy option is empty, silently uses $http_proxy / $https_proxy. ProxyRoute picks
// the proxy paho is given so that only ClientOptions::proxy ever selects one: the user's HTTP
// proxy, a local Socks5Relay in front of the user's SOCKS5 proxy, or, when those variables are
// set and no proxy is wanted, a local relay that connects directly.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <mqtk/client_options.hpp>
#include "core/socks5_relay.hpp"

namespace mqtk {

class ProxyRoute {
 public:
  // Starts a relay when one is needed (see above); throws like Socks5Relay's constructor.
  explicit ProxyRoute(const ClientOptions& options);

  // paho's httpProxy and httpsProxy option, in paho's own "[user:pass@]host:port" form with the
  // credentials percent-encoded; empty when paho may be left without one.
  const std::string& paho_proxy() const noexcept { return paho_proxy_; }

  // The user's proxy as users write it, without credentials ("socks5h://127.0.0.1:1080"), or
  // empty when the connection is direct.
  std::string proxy_display() const;

  // The port of the TCP connection paho itself opens: the relay's, the HTTP proxy's or the
  // broker's (core/liveness_watch.hpp finds paho's socket by it).
  std::uint16_t paho_peer_port() const noexcept;

  // After paho reported a TCP-level failure on a proxied route: what went wrong on the way to
  // the broker ("cannot reach SOCKS5 proxy 127.0.0.1:1: connection refused", "HTTP proxy
  // 127.0.0.1:8888 refused CONNECT to 127.0.0.1:1883: 403 Access violation"); when the proxy
  // opened the tunnel, that TLS failed beyond it (over TLS) or nothing (plain MQTT).
  std::string diagnose_failure(std::chrono::milliseconds timeout) const;

  // Waits (at most `timeout`) until the relay, if any, has passed on everything paho wrote before
  // closing its connection. Bytes paho writes go to the kernel and survive the process; bytes
  // in the relay do not, and the CLI ends with std::_Exit right after disconnecting.
  void flush(std::chrono::milliseconds timeout) const {
    if (relay_) relay_->flush(timeout);
  }

  const Socks5Relay* relay() const noexcept { return relay_.get(); }

 private:
  ProxyOptions proxy_;
  std::string target_host_;
  std::uint16_t target_port_ = 0;
  bool tls_ = false;
  std::unique_ptr<Socks5Relay> relay_;
  std::string paho_proxy_;
};

// The proxy as users write it, without credentials ("socks5h://127.0.0.1:1080"), or empty for
// ProxyKind::none.
std::string proxy_display(const ProxyOptions& proxy);

// True when paho.mqtt.c would read a proxy from the environment if given none: it reads
// lower-case http_proxy and https_proxy (set, even empty), never the upper-case forms.
bool environment_sets_paho_proxy();

// "[user:pass@]host:port" as paho's MQTTProtocol_setHTTPProxy() parses it: no scheme (paho strips
// "http://" from one option and "https://" from the other, so any scheme breaks one of them) and
// every credential byte outside [A-Za-z0-9-._~] as %XX (paho splits at the first '@', and a '%'
// not followed by two hex digits sends its decoder into an endless loop).
std::string paho_proxy_string(const ProxyOptions& proxy);

}  // namespace mqtk
