#pragma once
// Internal: the OpenSSL client settings of one run, built from TlsOptions, shared by the core's
// TLS layer (core/tls_layer.hpp, memory BIOs under the native engine's lock) and the bench
// engine's TlsStream (socket BIOs). The broker's chain and host name are verified unless
// TlsOptions::insecure; every TlsOptions field is honoured (CA file or directory or the system
// store, client certificate and key with its password, exact protocol version, cipher list,
// ALPN).

#include <stdexcept>
#include <string>

#include <mqtk/client_options.hpp>

struct ssl_ctx_st;
struct ssl_st;

namespace mqtk::detail {

// A TlsOptions value OpenSSL cannot use: flag() names the CLI flag it came from ("--cert"),
// what() says why ("cannot load client certificate '/x': ... no such file").
class TlsSetupError : public std::runtime_error {
 public:
  TlsSetupError(std::string flag, const std::string& text)
      : std::runtime_error(text), flag_(std::move(flag)) {}
  const std::string& flag() const noexcept { return flag_; }

 private:
  std::string flag_;
};

// OpenSSL's queued errors, "; "-separated, oldest first; clears the queue.
std::string openssl_errors();

class TlsContext {
 public:
  // Throws TlsSetupError.
  TlsContext(const TlsOptions& tls, std::string server_name);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* get() const noexcept { return ctx_; }
  const std::string& server_name() const noexcept { return server_name_; }
  // A new client session: SNI and, unless insecure, the host-name (or IP) check.
  ssl_st* new_session() const;

 private:
  ssl_ctx_st* ctx_ = nullptr;
  std::string server_name_;
  std::string key_password_;  // OpenSSL reads it through the default password callback
  bool verify_ = true;
};

// Why the session's handshake or a read failed: the certificate check when it failed, else
// OpenSSL's error queue, else `fallback`.
std::string describe_tls_failure(ssl_st* ssl, const std::string& fallback);

}  // namespace mqtk::detail
