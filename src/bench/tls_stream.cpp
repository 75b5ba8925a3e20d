#include "bench/tls_stream.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <mqtk/error.hpp>

namespace mqtk::bench {
namespace {

std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text;
}

}  // namespace

TlsContext::TlsContext(const TlsOptions& tls, std::string server_name)
    : ctx_(SSL_CTX_new(TLS_client_method())), server_name_(std::move(server_name)), verify_(!tls.insecure) {
  if (ctx_ == nullptr) throw Error(ErrorCategory::runtime, "cannot create a TLS context: " + openssl_errors());
  if (!tls.ca_file.empty() || !tls.ca_path.empty()) {
    if (SSL_CTX_load_verify_locations(ctx_, tls.ca_file.empty() ? nullptr : tls.ca_file.c_str(),
                                      tls.ca_path.empty() ? nullptr : tls.ca_path.c_str()) != 1) {
      SSL_CTX_free(ctx_);
      throw UsageError("--cafile: cannot load CA certificates from '" +
                       (tls.ca_file.empty() ? tls.ca_path : tls.ca_file) + "'");
    }
  } else {
    SSL_CTX_set_default_verify_paths(ctx_);
  }
  if (!tls.cert_file.empty() && SSL_CTX_use_certificate_chain_file(ctx_, tls.cert_file.c_str()) != 1) {
    SSL_CTX_free(ctx_);
    throw UsageError("--cert: cannot load client certificate '" + tls.cert_file + "'");
  }
  if (!tls.key_password.empty()) {
    key_password_ = tls.key_password;
    SSL_CTX_set_default_passwd_cb_userdata(ctx_, key_password_.data());
  }
  if (!tls.key_file.empty() &&
      SSL_CTX_use_PrivateKey_file(ctx_, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    SSL_CTX_free(ctx_);
    throw UsageError("--key: cannot load client key '" + tls.key_file + "'");
  }
  SSL_CTX_set_verify(ctx_, verify_ ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

TlsStream::TlsStream(const TlsContext& context, int fd) : ssl_(SSL_new(context.get())) {
  if (ssl_ == nullptr) throw Error(ErrorCategory::runtime, "cannot create a TLS session: " + openssl_errors());
  SSL_set_fd(ssl_, fd);
  const char* name = context.server_name().c_str();
  SSL_set_tlsext_host_name(ssl_, name);
  if (context.verify()) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, name) != 1) SSL_set1_host(ssl_, name);
  }
  SSL_set_connect_state(ssl_);
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

IoStatus TlsStream::classify(int rc) {
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ: return IoStatus::want_read;
    case SSL_ERROR_WANT_WRITE: return IoStatus::want_write;
    case SSL_ERROR_ZERO_RETURN: return IoStatus::closed;
    default: {
      const long verify = SSL_get_verify_result(ssl_);
      last_error_ = verify != X509_V_OK
                        ? std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify)
                        : openssl_errors();
      if (last_error_.empty()) last_error_ = "the connection closed during TLS";
      return IoStatus::failed;
    }
  }
}

IoStatus TlsStream::handshake() {
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  return rc == 1 ? IoStatus::ok : classify(rc);
}

IoResult TlsStream::read(char* data, std::size_t size) {
  ERR_clear_error();
  std::size_t done = 0;
  const int rc = SSL_read_ex(ssl_, data, size, &done);
  if (rc == 1) return {IoStatus::ok, done};
  return {classify(rc), 0};
}

IoResult TlsStream::write(const char* data, std::size_t size) {
  ERR_clear_error();
  std::size_t done = 0;
  const int rc = SSL_write_ex(ssl_, data, size, &done);
  if (rc == 1) return {IoStatus::ok, done};
  return {classify(rc), 0};
}

std::string TlsStream::error_text() const { return last_error_; }

}  // namespace mqtk::bench
