// mqtk's own engine: writing out_ to the socket, directly on plain TCP or through the
// connection's layers (TLS, websocket framing) into wire_out_ first, and telling QoS 0
// publishes apart once the socket has taken their last byte. Every function here runs under
// mutex_ (native_transport.hpp).

#include <cerrno>
#include <sys/socket.h>

#include "core/native_transport.hpp"

namespace mqtk::detail {
namespace {

// What the socket takes of `data` now without blocking (0 when it is full). Throws SocketError.
std::size_t send_available(int fd, std::string_view data) {
  for (;;) {
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent >= 0) return static_cast<std::size_t>(sent);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    throw SocketError(describe_errno(errno));
  }
}

}  // namespace

bool NativeTransport::flush_locked(Completions& written) {
  if (layers_) return flush_layered_locked(written);
  while (out_sent_ < out_.size() && socket_) {
    const std::size_t sent = send_available(socket_.get(), std::string_view(out_).substr(out_sent_));
    if (sent == 0) break;
    out_sent_ += sent;
    bytes_written_ += sent;
    last_write_ = Clock::now();
  }
  bytes_taken_ = bytes_written_;
  complete_written_qos0_locked(written);
  if (out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
    return true;
  }
  if (out_sent_ > out_.size() / 2) {  // keep the buffer from only growing
    out_.erase(0, out_sent_);
    out_sent_ = 0;
  }
  return false;
}

bool NativeTransport::flush_layered_locked(Completions& written) {
  if (out_sent_ < out_.size()) {
    const std::size_t before = wire_out_.size();
    layers_->wrap(std::string_view(out_).substr(out_sent_), wire_out_);
    bytes_taken_ += out_.size() - out_sent_;
    wire_queued_total_ += wire_out_.size() - before;
    wire_marks_.emplace_back(wire_queued_total_, bytes_taken_);
    out_.clear();
    out_sent_ = 0;
  }
  while (wire_sent_ < wire_out_.size() && socket_) {
    const std::size_t sent = send_available(socket_.get(), std::string_view(wire_out_).substr(wire_sent_));
    if (sent == 0) break;
    wire_sent_ += sent;
    wire_sent_total_ += sent;
    last_write_ = Clock::now();
  }
  while (!wire_marks_.empty() && wire_marks_.front().first <= wire_sent_total_) {
    bytes_written_ = wire_marks_.front().second;
    wire_marks_.pop_front();
  }
  complete_written_qos0_locked(written);
  if (wire_sent_ == wire_out_.size()) {
    wire_out_.clear();
    wire_sent_ = 0;
    return true;
  }
  if (wire_sent_ > wire_out_.size() / 2) {
    wire_out_.erase(0, wire_sent_);
    wire_sent_ = 0;
  }
  return false;
}

void NativeTransport::complete_written_qos0_locked(Completions& written) {
  while (!qos0_.empty() && qos0_.front().first <= bytes_written_) {
    written.push_back({qos0_.front().second, {}});
    qos0_.pop_front();
  }
}

bool NativeTransport::send_queued_locked(Completions& written) {
  bool drained = false;
  try {
    drained = flush_locked(written);
  } catch (const SocketError&) {
    // The network thread notices the same failure and reports the loss.
  }
  if (drained || pollout_armed_) return false;
  pollout_armed_ = true;
  return true;
}

}  // namespace mqtk::detail
