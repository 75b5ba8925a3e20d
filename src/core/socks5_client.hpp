#pragma once
// Internal to the core: the client side of SOCKS5, i.e. RFC 1928 CONNECT with no authentication
// or RFC 1929 user name/password, used by Socks5Relay for each tunnel it opens.

#include <cstdint>
#include <string>

#include <mqtk/client_options.hpp>
#include "core/socket_io.hpp"

namespace mqtk::detail {

// A connection to host:port through `proxy`, ready to carry the tunnel's bytes. remote_dns sends
// a host name as a name (socks5h); otherwise it is resolved here and sent as an address (IP
// literals always are). Throws SocketError with the reason, e.g. "SOCKS5 proxy refused the
// connection: connection not allowed by ruleset (reply 2)", or SocketStopped on wake_fd.
Fd socks5_connect(const ProxyOptions& proxy, const std::string& host, std::uint16_t port,
                  bool remote_dns, Deadline deadline, int wake_fd);

// RFC 1928 section 6 reply texts: "connection not allowed by ruleset" for 2, ...
std::string describe_socks5_reply(int reply);

}  // namespace mqtk::detail
