#pragma once
// Internal to the native engine: TLS as a StreamLayer over memory BIOs. OpenSSL never touches
// the socket: ciphertext read from it is fed in, ciphertext to send is collected, so the engine
// can do every SSL call under its own mutex_ (the network thread reads while callers write) and
// keep its one non-blocking socket loop for every kind of connection.

#include <memory>
#include <string>
#include <string_view>

#include "core/socket_io.hpp"
#include "core/stream_layer.hpp"
#include "core/tls_context.hpp"

struct bio_st;

namespace mqtk::detail {

// A TLS failure (handshake, certificate, alert, close_notify): a connection loss like a TCP
// reset, worded by OpenSSL ("certificate verify failed: certificate has expired").
class TlsError : public SocketError {
 public:
  using SocketError::SocketError;
};

class TlsLayer final : public StreamLayer {
 public:
  // Keeps `context` (shared: the engine builds one per connect).
  explicit TlsLayer(std::shared_ptr<const TlsContext> context);
  ~TlsLayer() override;
  TlsLayer(const TlsLayer&) = delete;
  TlsLayer& operator=(const TlsLayer&) = delete;

  // One handshake step: feeds `received` (ciphertext from the socket, may be empty), appends
  // what must be sent to `to_send`; true once the handshake is done. Throws TlsError.
  bool handshake(std::string_view received, std::string& to_send);

  void wrap(std::string_view data, std::string& below) override;
  void unwrap(std::string_view below, std::string& data, std::string& reply) override;

 private:
  void feed(std::string_view ciphertext);
  void drain(std::string& ciphertext);
  [[noreturn]] void fail(int rc, const char* during);

  std::shared_ptr<const TlsContext> context_;
  ssl_st* ssl_ = nullptr;
  bio_st* in_ = nullptr;   // ciphertext from the broker; owned by ssl_
  bio_st* out_ = nullptr;  // ciphertext for the broker; owned by ssl_
};

}  // namespace mqtk::detail
