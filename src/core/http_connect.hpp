#pragma once
// Internal to the core: a tunnel through an HTTP proxy (CONNECT host:port, with Basic
// credentials when the proxy URL has them), used by the native engine for --proxy http://...
// and, for paho's route, to find out why paho's own CONNECT failed (core/proxy_route.cpp).

#include <cstdint>
#include <string>

#include <mqtk/client_options.hpp>
#include "core/socket_io.hpp"

namespace mqtk::detail {

// A connection to host:port through `proxy`, ready to carry the tunnel's bytes. Throws
// SocketError with the reason: "cannot reach HTTP proxy 127.0.0.1:8888: connection refused",
// "HTTP proxy 127.0.0.1:8888 refused CONNECT to 127.0.0.1:1883: 403 Access violation",
// "... requires authentication: give user:password@ in the proxy URL (407 ...)"; SocketStopped
// on wake_fd.
Fd http_connect(const ProxyOptions& proxy, const std::string& host, std::uint16_t port,
                Deadline deadline, int wake_fd);

}  // namespace mqtk::detail
