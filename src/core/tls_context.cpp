#include "core/tls_context.hpp"

#include <memory>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <mqtk/error.hpp>

namespace mqtk::detail {
namespace {

int protocol_version(const std::string& name) {
  if (name == "tlsv1" || name == "tlsv1.0") return TLS1_VERSION;
  if (name == "tlsv1.1") return TLS1_1_VERSION;
  if (name == "tlsv1.2") return TLS1_2_VERSION;
  if (name == "tlsv1.3") return TLS1_3_VERSION;
  throw TlsSetupError("--tls-version", "unknown TLS version '" + name + "' (tlsv1.3, tlsv1.2 or tlsv1.1)");
}

// RFC 7301 wire form: each protocol name prefixed by its length.
std::string alpn_wire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& name : protocols) {
    if (name.empty() || name.size() > 255)
      throw TlsSetupError("--tls-alpn", "ALPN protocol '" + name + "' must be 1 to 255 bytes");
    wire += static_cast<char>(name.size());
    wire += name;
  }
  return wire;
}

void configure(SSL_CTX* ctx, const TlsOptions& tls, std::string& key_password) {
  if (!tls.ca_file.empty() || !tls.ca_path.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, tls.ca_file.empty() ? nullptr : tls.ca_file.c_str(),
                                      tls.ca_path.empty() ? nullptr : tls.ca_path.c_str()) != 1)
      throw TlsSetupError(tls.ca_file.empty() ? "--capath" : "--cafile",
                          "cannot load CA certificates from '" +
                              (tls.ca_file.empty() ? tls.ca_path : tls.ca_file) + "': " + openssl_errors());
  } else {
    SSL_CTX_set_default_verify_paths(ctx);
  }
  if (!tls.cert_file.empty() && SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1)
    throw TlsSetupError("--cert", "cannot load client certificate '" + tls.cert_file + "': " + openssl_errors());
  if (!tls.key_password.empty()) {
    key_password = tls.key_password;
    SSL_CTX_set_default_passwd_cb_userdata(ctx, key_password.data());
  }
  if (!tls.key_file.empty() && SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    throw TlsSetupError("--key", "cannot load client key '" + tls.key_file + "': " + openssl_errors());
  if (!tls.version.empty()) {
    // Exactly that version, as mosquitto_sub's --tls-version.
    const int version = protocol_version(tls.version);
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
  }
  if (!tls.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, tls.ciphers.c_str()) != 1)
    throw TlsSetupError("--ciphers", "no usable cipher in '" + tls.ciphers + "': " + openssl_errors());
  if (!tls.alpn.empty()) {
    const std::string wire = alpn_wire(tls.alpn);
    // The one OpenSSL call that returns 0 on success.
    if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned>(wire.size())) != 0)
      throw TlsSetupError("--tls-alpn", "cannot set ALPN: " + openssl_errors());
  }
}

}  // namespace

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

TlsContext::TlsContext(const TlsOptions& tls, std::string server_name)
    : ctx_(SSL_CTX_new(TLS_client_method())), server_name_(std::move(server_name)), verify_(!tls.insecure) {
  if (ctx_ == nullptr) throw Error(ErrorCategory::runtime, "cannot create a TLS context: " + openssl_errors());
  try {
    configure(ctx_, tls, key_password_);
  } catch (...) {
    SSL_CTX_free(ctx_);
    throw;
  }
  SSL_CTX_set_verify(ctx_, verify_ ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

SSL* TlsContext::new_session() const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) throw Error(ErrorCategory::runtime, "cannot create a TLS session: " + openssl_errors());
  const char* name = server_name_.c_str();
  SSL_set_tlsext_host_name(ssl, name);
  if (verify_) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, name) != 1) SSL_set1_host(ssl, name);
  }
  SSL_set_connect_state(ssl);
  return ssl;
}

std::string describe_tls_failure(SSL* ssl, const std::string& fallback) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    ERR_clear_error();
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  }
  std::string text = openssl_errors();
  return text.empty() ? fallback : text;
}

}  // namespace mqtk::detail
