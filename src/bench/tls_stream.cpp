#include "bench/tls_stream.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace mqtk::bench {

TlsStream::TlsStream(const TlsContext& context, int fd) : ssl_(context.new_session()) {
  SSL_set_fd(ssl_, fd);
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

IoStatus TlsStream::classify(int rc) {
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ: return IoStatus::want_read;
    case SSL_ERROR_WANT_WRITE: return IoStatus::want_write;
    case SSL_ERROR_ZERO_RETURN: return IoStatus::closed;
    default:
      last_error_ = detail::describe_tls_failure(ssl_, "the connection closed during TLS");
      return IoStatus::failed;
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
