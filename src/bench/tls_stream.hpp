#pragma once
// TLS for the bench engine's non-blocking sockets (OpenSSL): one TlsContext per run, one
// TlsStream per connection. The broker's certificate chain and host name are verified unless
// TlsOptions::insecure (emqtt-bench never verifies; we do by default).

#include <cstddef>
#include <memory>
#include <string>

#include <mqtk/client_options.hpp>

struct ssl_ctx_st;
struct ssl_st;

namespace mqtk::bench {

class TlsContext {
 public:
  // Loads the CA (tls.ca_file/ca_path, else the system store) and the client certificate.
  // Throws UsageError naming the file that cannot be loaded.
  TlsContext(const TlsOptions& tls, std::string server_name);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* get() const noexcept { return ctx_; }
  const std::string& server_name() const noexcept { return server_name_; }
  bool verify() const noexcept { return verify_; }

 private:
  ssl_ctx_st* ctx_ = nullptr;
  std::string server_name_;
  std::string key_password_;  // OpenSSL reads it through the default password callback
  bool verify_ = true;
};

// The outcome of one non-blocking step.
enum class IoStatus { ok, want_read, want_write, closed, failed };

struct IoResult {
  IoStatus status = IoStatus::ok;
  std::size_t bytes = 0;
};

class TlsStream {
 public:
  TlsStream(const TlsContext& context, int fd);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  IoStatus handshake();  // ok once done
  IoResult read(char* data, std::size_t size);
  IoResult write(const char* data, std::size_t size);
  // Why the last step failed: the certificate check, or OpenSSL's error queue.
  std::string error_text() const;

 private:
  IoStatus classify(int rc);
  ssl_st* ssl_ = nullptr;
  std::string last_error_;
};

}  // namespace mqtk::bench
