#include "core/tls_layer.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <mqtk/error.hpp>

namespace mqtk::detail {

TlsLayer::TlsLayer(std::shared_ptr<const TlsContext> context)
    : context_(std::move(context)), ssl_(context_->new_session()) {
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (in_ == nullptr || out_ == nullptr) {
    BIO_free(in_);
    BIO_free(out_);
    SSL_free(ssl_);
    throw Error(ErrorCategory::runtime, "cannot create TLS buffers: " + openssl_errors());
  }
  // An empty memory BIO reports "retry" rather than end of stream: the broker closing the TCP
  // connection is seen on the socket, not here.
  BIO_set_mem_eof_return(in_, -1);
  SSL_set_bio(ssl_, in_, out_);
}

TlsLayer::~TlsLayer() { SSL_free(ssl_); }

void TlsLayer::feed(std::string_view ciphertext) {
  if (ciphertext.empty()) return;
  std::size_t written = 0;
  if (BIO_write_ex(in_, ciphertext.data(), ciphertext.size(), &written) != 1 || written != ciphertext.size())
    throw TlsError("cannot buffer TLS input: " + openssl_errors());
}

void TlsLayer::drain(std::string& ciphertext) {
  const std::size_t pending = BIO_ctrl_pending(out_);
  if (pending == 0) return;
  const std::size_t start = ciphertext.size();
  ciphertext.resize(start + pending);
  std::size_t read = 0;
  BIO_read_ex(out_, ciphertext.data() + start, pending, &read);
  ciphertext.resize(start + read);
}

void TlsLayer::fail(int rc, const char* during) {
  const int error = SSL_get_error(ssl_, rc);
  if (error == SSL_ERROR_ZERO_RETURN) throw TlsError("the broker closed the TLS session");
  throw TlsError(describe_tls_failure(ssl_, std::string("TLS failed during ") + during));
}

bool TlsLayer::handshake(std::string_view received, std::string& to_send) {
  feed(received);
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  drain(to_send);  // also the alert that tells the broker why we give up
  if (rc == 1) return true;
  if (SSL_get_error(ssl_, rc) == SSL_ERROR_WANT_READ) return false;
  fail(rc, "the handshake");
}

void TlsLayer::wrap(std::string_view data, std::string& below) {
  ERR_clear_error();
  while (!data.empty()) {
    std::size_t written = 0;
    // A memory BIO takes everything: a write fails only when the session has.
    const int rc = SSL_write_ex(ssl_, data.data(), data.size(), &written);
    if (rc != 1) fail(rc, "a write");
    data.remove_prefix(written);
  }
  drain(below);
}

void TlsLayer::unwrap(std::string_view below, std::string& data, std::string& reply) {
  feed(below);
  ERR_clear_error();
  for (;;) {
    const std::size_t start = data.size();
    data.resize(start + 16 * 1024);
    std::size_t read = 0;
    const int rc = SSL_read_ex(ssl_, data.data() + start, 16 * 1024, &read);
    data.resize(start + read);
    if (rc == 1) continue;
    const int error = SSL_get_error(ssl_, rc);
    if (error == SSL_ERROR_WANT_READ) break;
    drain(reply);
    fail(rc, "a read");
  }
  // TLS 1.3 session tickets and key updates are handled inside SSL_read; whatever they make
  // OpenSSL send goes out with the next write.
  drain(reply);
}

}  // namespace mqtk::detail
