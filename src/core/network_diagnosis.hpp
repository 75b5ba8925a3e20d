#pragma once
// paho reports every failed TCP connect as "TCP/TLS connect failure" (-1). After such a failure
// we look again ourselves, once, to tell the user which it was: the name did not resolve, the
// port refused, the host was unreachable, or it timed out.

#include <chrono>
#include <cstdint>
#include <string>

#include <mqtk/client_options.hpp>

namespace mqtk {

// A short reason such as "could not resolve host 'x': Name or service not known" or
// "connection refused", or an empty string when a TCP connection could be opened.
std::string diagnose_tcp_connect(const std::string& host, std::uint16_t port,
                                 std::chrono::milliseconds timeout);

// After a failed TLS connect whose TCP part works: performs the handshake once with OpenSSL
// under the same trust settings and returns its reason ("certificate verify failed: self-signed
// certificate in certificate chain", "hostname mismatch"), or an empty string.
std::string diagnose_tls_handshake(const ClientOptions& options, std::chrono::milliseconds timeout);

}  // namespace mqtk
