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
#include <openssl/x509v3.h>

#include "core/network_diagnosis.hpp"
#include "core/socket_io.hpp"

namespace mqtk {
namespace {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};
struct SslDeleter {
  void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};
struct AddrInfoDeleter {
  void operator()(addrinfo* info) const noexcept { freeaddrinfo(info); }
};

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return {};
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

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
  const TlsOptions& tls = options.tls;
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return {};
  if (!tls.ca_file.empty() || !tls.ca_path.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca_file.empty() ? nullptr : tls.ca_file.c_str(),
                                      tls.ca_path.empty() ? nullptr : tls.ca_path.c_str()) != 1)
      return "cannot load CA certificates from '" + (tls.ca_file.empty() ? tls.ca_path : tls.ca_file) +
             "': " + openssl_error();
  } else {
    SSL_CTX_set_default_verify_paths(ctx.get());
  }
  if (!tls.cert_file.empty() &&
      SSL_CTX_use_certificate_chain_file(ctx.get(), tls.cert_file.c_str()) != 1)
    return "cannot load client certificate '" + tls.cert_file + "': " + openssl_error();
  if (!tls.key_file.empty() &&
      SSL_CTX_use_PrivateKey_file(ctx.get(), tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return "cannot load client key '" + tls.key_file + "': " + openssl_error();
  SSL_CTX_set_verify(ctx.get(), tls.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);

  detail::Fd fd;
  if (!open_socket(fd, options.broker.host, options.broker.port, timeout)) return {};
  std::unique_ptr<SSL, SslDeleter> ssl(SSL_new(ctx.get()));
  if (!ssl) return {};
  SSL_set_fd(ssl.get(), fd.get());
  SSL_set_tlsext_host_name(ssl.get(), options.broker.host.c_str());
  if (!tls.insecure) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    if (X509_VERIFY_PARAM_set1_ip_asc(param, options.broker.host.c_str()) != 1)
      SSL_set1_host(ssl.get(), options.broker.host.c_str());
  }
  ERR_clear_error();
  if (SSL_connect(ssl.get()) == 1) {
    // The handshake works here; a broker that wants a client certificate may say so only now.
    char byte;
    if (SSL_read(ssl.get(), &byte, 1) <= 0) {
      std::string error = openssl_error();
      if (!error.empty()) return "the broker closed the TLS session: " + error;
    }
    return {};
  }
  const long verify = SSL_get_verify_result(ssl.get());
  if (verify != X509_V_OK)
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  std::string error = openssl_error();
  return error.empty() ? "TLS handshake failed (is the port a TLS listener?)" : error;
}

}  // namespace mqtk
