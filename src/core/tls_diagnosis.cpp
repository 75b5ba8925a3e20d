// Explains a failed TLS connect: paho's own error text would need an OpenSSL error callback that
// paho.mqtt.cpp 1.2 leaves dangling (see paho_convert.hpp), so after a failure we repeat the
// handshake once here with the same trust settings and report what OpenSSL says.

#include <memory>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/network_diagnosis.hpp"
#include "core/socket_io.hpp"
#include "core/tls_context.hpp"

namespace mqtk {
namespace {

struct SslDeleter {
  void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};
struct AddrInfoDeleter {
  void operator()(addrinfo* info) const noexcept { freeaddrinfo(info); }
};

bool open_socket(detail::Fd& fd, const std::string& host, std::uint16_t port,
                 std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw) != 0) return false;
  std::unique_ptr<addrinfo, AddrInfoDeleter> addresses(raw);
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  for (const addrinfo* a = addresses.get(); a; a = a->ai_next) {
    fd.reset(::socket(a->ai_family, a->ai_socktype, a->ai_protocol));
    if (fd.get() < 0) continue;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) == 0) return true;
  }
  return false;
}

}  // namespace

std::string diagnose_tls_handshake(const ClientOptions& options, std::chrono::milliseconds timeout) {
  std::unique_ptr<detail::TlsContext> context;
  try {
    // The same settings the engines use (core/tls_context.hpp).
    context = std::make_unique<detail::TlsContext>(options.tls, options.broker.host);
  } catch (const detail::TlsSetupError& error) {
    return error.what();
  } catch (const std::exception&) {
    return {};  // OpenSSL itself failed: nothing to tell about the broker
  }
  detail::Fd fd;
  if (!open_socket(fd, options.broker.host, options.broker.port, timeout)) return {};
  std::unique_ptr<SSL, SslDeleter> ssl(context->new_session());
  SSL_set_fd(ssl.get(), fd.get());
  ERR_clear_error();
  if (SSL_connect(ssl.get()) == 1) {
    // The handshake works here; a broker that wants a client certificate may say so only now.
    char byte;
    if (SSL_read(ssl.get(), &byte, 1) <= 0) {
      std::string error = detail::openssl_errors();
      if (!error.empty()) return "the broker closed the TLS session: " + error;
    }
    return {};
  }
  return detail::describe_tls_failure(ssl.get(), "TLS handshake failed (is the port a TLS listener?)");
}

}  // namespace mqtk
