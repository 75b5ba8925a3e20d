#pragma once
// TLS for the bench engine's non-blocking sockets (OpenSSL over the socket itself): one
// TlsContext per run (core/tls_context.hpp, shared with the core's TLS layer), one TlsStream per
// connection. The broker's certificate chain and host name are verified unless
// TlsOptions::insecure (emqtt-bench never verifies; we do by default).

#include <cstddef>
#include <string>

#include "core/tls_context.hpp"

namespace mqtk::bench {

using detail::TlsContext;

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
