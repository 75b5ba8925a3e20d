#include "bench/bench_connection.hpp"

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mqtk/reason_code.hpp>

namespace mqtk::bench {

using detail::append_websocket_frame;
using detail::read_websocket_frames;
using detail::websocket_response_error;
using detail::websocket_response_size;
using detail::websocket_upgrade_request;
using detail::WebsocketInput;

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::connect_failed: return "connect_failed";
    case ErrorKind::connect_timeout: return "connect_timeout";
    case ErrorKind::tls: return "tls";
    case ErrorKind::connack_refused: return "connack_refused";
    case ErrorKind::subscribe_refused: return "subscribe_refused";
    case ErrorKind::publish_refused: return "publish_refused";
    case ErrorKind::connection_lost: return "connection_lost";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::ack_timeout: return "ack_timeout";
    case ErrorKind::count_: break;
  }
  return "unknown";
}

bool BenchConnection::open(const SessionSettings& settings, Clock::time_point now,
                           ConnectionEvents& events) {
  settings_ = &settings;
  window_ = settings.window;
  inflight_ = 0;
  in_.clear();
  out_.clear();
  out_offset_ = 0;
  ws_in_.clear();
  wire_.clear();
  wire_offset_ = 0;
  write_blocked_ = false;
  tls_wants_write_ = false;
  tls_.reset();
  opened_at_ = now;
  last_write_ = now;
  last_read_ = now;
  last_ping_ = now;
  fd_.reset(::socket(settings.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd_) {
    state_ = State::closed;
    events.on_closed(*this, ErrorKind::connect_failed, std::string("socket: ") + std::strerror(errno));
    return false;
  }
  const int on = 1;
  ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  state_ = State::connecting;
  if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&settings.address),
                settings.address_length) != 0 &&
      errno != EINPROGRESS) {
    fail(events, ErrorKind::connect_failed, std::string("connect: ") + std::strerror(errno));
    return false;
  }
  return true;
}

void BenchConnection::close() noexcept {
  fd_.reset();
  tls_.reset();
  state_ = State::closed;
}

void BenchConnection::fail(ConnectionEvents& events, ErrorKind kind, const std::string& detail) {
  close();
  events.on_closed(*this, kind, detail);
}

bool BenchConnection::wants_writable() const noexcept {
  return state_ == State::connecting || write_blocked_ || tls_wants_write_;
}

void BenchConnection::handle_writable(ConnectionEvents& events) {
  if (state_ == State::connecting) {
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return fail(events, ErrorKind::connect_failed, std::strerror(error));
    if (settings_->tls != nullptr) {
      tls_ = std::make_unique<TlsStream>(*settings_->tls, fd_.get());
      state_ = State::tls_handshake;
      return continue_handshake(events);
    }
    return start_session(events);
  }
  if (state_ == State::tls_handshake) return continue_handshake(events);
  write_blocked_ = false;
  tls_wants_write_ = false;
  flush(events);
}

void BenchConnection::continue_handshake(ConnectionEvents& events) {
  const IoStatus status = tls_->handshake();
  tls_wants_write_ = status == IoStatus::want_write;
  if (status == IoStatus::ok) return start_session(events);
  if (status == IoStatus::failed || status == IoStatus::closed)
    fail(events, ErrorKind::tls, status == IoStatus::closed ? "the broker closed the TLS session"
                                                            : tls_->error_text());
}

void BenchConnection::start_session(ConnectionEvents& events) {
  if (!settings_->websocket) return send_connect(events);
  // A per-connection generator is enough here: the masks only need to vary, not to be secret
  // (RFC 6455's unpredictability protects browsers from cache poisoning, not a load tool).
  std::mt19937 random(slot_ * 2654435761u + static_cast<std::uint32_t>(opened_at_.time_since_epoch().count()));
  wire_ += websocket_upgrade_request(settings_->websocket_host, settings_->websocket_port,
                                     settings_->websocket_path, random);
  state_ = State::websocket_upgrade;
  flush(events);
}

void BenchConnection::send_connect(ConnectionEvents& events) {
  ConnectFields fields;
  fields.version = settings_->version;
  fields.client_id = client_id_;
  if (settings_->username) fields.username = *settings_->username;
  if (settings_->password) fields.password = *settings_->password;
  fields.keepalive_s = settings_->keepalive_s;
  fields.clean_start = settings_->clean_start;
  fields.session_expiry_s = settings_->session_expiry_s;
  state_ = State::awaiting_connack;
  append_connect(out_, fields);
  flush(events);
}

IoResult BenchConnection::read_some(char* data, std::size_t size) {
  if (tls_) return tls_->read(data, size);
  const ssize_t n = ::recv(fd_.get(), data, size, 0);
  if (n > 0) return {IoStatus::ok, static_cast<std::size_t>(n)};
  if (n == 0) return {IoStatus::closed, 0};
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return {IoStatus::want_read, 0};
  return {IoStatus::failed, 0};
}

IoResult BenchConnection::write_some(const char* data, std::size_t size) {
  if (tls_) return tls_->write(data, size);
  const ssize_t n = ::send(fd_.get(), data, size, MSG_NOSIGNAL);
  if (n >= 0) return {IoStatus::ok, static_cast<std::size_t>(n)};
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return {IoStatus::want_write, 0};
  return {IoStatus::failed, 0};
}

void BenchConnection::handle_readable(ConnectionEvents& events, std::span<char> scratch) {
  if (state_ == State::connecting) return handle_writable(events);
  if (state_ == State::tls_handshake) return continue_handshake(events);
  for (;;) {
    const IoResult result = read_some(scratch.data(), scratch.size());
    if (result.status == IoStatus::want_read) return;
    if (result.status == IoStatus::want_write) {
      tls_wants_write_ = true;
      return;
    }
    if (result.status == IoStatus::closed)
      return fail(events, ErrorKind::connection_lost, "the broker closed the connection");
    if (result.status == IoStatus::failed)
      return fail(events, ErrorKind::connection_lost,
                  tls_ ? tls_->error_text() : std::string("read: ") + std::strerror(errno));
    last_read_ = Clock::now();
    const std::string_view data(scratch.data(), result.bytes);
    if (settings_->websocket) {
      std::string stream;
      if (!unwrap_websocket(events, data, stream) || !consume(events, stream)) return;
    } else if (!consume(events, data)) {
      return;
    }
    if (!tls_ && result.bytes < scratch.size()) return;  // TLS may hold more records
  }
}

bool BenchConnection::consume(ConnectionEvents& events, std::string_view data) {
  if (data.empty()) return true;
  if (in_.empty()) {
    const std::size_t used = process(events, data);
    if (used == std::string_view::npos) return false;
    in_.assign(data.substr(used));
  } else {
    in_.append(data);
    const std::size_t used = process(events, in_);
    if (used == std::string_view::npos) return false;
    in_.erase(0, used);
  }
  return true;
}

bool BenchConnection::unwrap_websocket(ConnectionEvents& events, std::string_view data, std::string& stream) {
  ws_in_.append(data);
  if (state_ == State::websocket_upgrade) {
    const std::size_t size = websocket_response_size(ws_in_);
    if (size == 0) {
      if (ws_in_.size() > 16384) fail(events, ErrorKind::connect_failed, "websocket upgrade response too long");
      return size == 0 && state_ != State::closed;
    }
    if (const std::string error = websocket_response_error(ws_in_.substr(0, size)); !error.empty()) {
      fail(events, ErrorKind::connect_failed, error);
      return false;
    }
    ws_in_.erase(0, size);
    send_connect(events);
    if (state_ == State::closed) return false;
  }
  try {
    const WebsocketInput input = read_websocket_frames(ws_in_, stream, slot_ * 2654435761u);
    ws_in_.erase(0, input.consumed);
    wire_ += input.pongs;
    if (input.closed) {
      fail(events, ErrorKind::connection_lost, "the broker closed the websocket");
      return false;
    }
  } catch (const CodecError& e) {
    fail(events, ErrorKind::protocol, e.what());
    return false;
  }
  return true;
}

std::size_t BenchConnection::process(ConnectionEvents& events, std::string_view data) {
  std::size_t used = 0;
  try {
    while (auto framed = next_packet(data.substr(used))) {
      used += framed->size;
      if (!handle_packet(events, framed->packet)) return std::string_view::npos;
    }
  } catch (const CodecError& e) {
    fail(events, ErrorKind::protocol, e.what());
    return std::string_view::npos;
  }
  return used;
}

bool BenchConnection::handle_packet(ConnectionEvents& events, const PacketView& packet) {
  const MqttVersion version = settings_->version;
  switch (packet.type) {
    case PacketType::connack: {
      if (state_ != State::awaiting_connack) break;
      const Connack connack = parse_connack(packet, version);
      if (connack.reason_code != 0) {
        fail(events, ErrorKind::connack_refused,
             version == MqttVersion::v5 ? describe_reason_code(connack.reason_code)
                                        : describe_connack_v3(connack.reason_code));
        return false;
      }
      if (connack.receive_maximum && *connack.receive_maximum < window_) window_ = *connack.receive_maximum;
      state_ = State::ready;
      events.on_connected(*this, connack);
      return state_ == State::ready;
    }
    case PacketType::publish: {
      const IncomingPublish message = parse_publish(packet, version);
      if (message.qos == 1) append_ack(out_, PacketType::puback, message.packet_id);
      if (message.qos == 2) append_ack(out_, PacketType::pubrec, message.packet_id);
      events.on_message(*this, message);
      return state_ == State::ready;
    }
    case PacketType::puback:
    case PacketType::pubcomp: {
      const Ack ack = parse_ack(packet, version);
      if (inflight_ > 0) --inflight_;
      events.on_acked(*this, ack.reason_code);
      return state_ == State::ready;
    }
    case PacketType::pubrec: {
      const Ack ack = parse_ack(packet, version);
      if (ack.reason_code >= 0x80) {
        if (inflight_ > 0) --inflight_;
        events.on_acked(*this, ack.reason_code);
        return state_ == State::ready;
      }
      append_ack(out_, PacketType::pubrel, ack.packet_id);
      return true;
    }
    case PacketType::pubrel:
      append_ack(out_, PacketType::pubcomp, parse_ack(packet, version).packet_id);
      return true;
    case PacketType::suback: {
      const Suback suback = parse_suback(packet, version);
      events.on_subscribed(*this, suback.first_code);
      return state_ == State::ready;
    }
    case PacketType::pingresp:
      return true;
    case PacketType::disconnect:
      fail(events, ErrorKind::connection_lost,
           "the broker sent DISCONNECT (reason " + std::to_string(parse_disconnect_reason(packet)) + ")");
      return false;
    default:
      break;
  }
  fail(events, ErrorKind::protocol,
       "unexpected packet type " + std::to_string(static_cast<int>(packet.type)));
  return false;
}

void BenchConnection::flush(ConnectionEvents& events) {
  if (state_ == State::closed || state_ == State::connecting || state_ == State::tls_handshake) return;
  if (settings_->websocket && state_ != State::websocket_upgrade && out_offset_ < out_.size()) {
    append_websocket_frame(wire_, std::string_view(out_).substr(out_offset_), slot_ * 2654435761u);
    out_.clear();
    out_offset_ = 0;
  }
  std::string& pending = settings_->websocket ? wire_ : out_;
  std::size_t& offset = settings_->websocket ? wire_offset_ : out_offset_;
  while (offset < pending.size()) {
    const IoResult result = write_some(pending.data() + offset, pending.size() - offset);
    if (result.status == IoStatus::ok) {
      offset += result.bytes;
      continue;
    }
    if (result.status == IoStatus::want_write || result.status == IoStatus::want_read) {
      write_blocked_ = true;
      break;
    }
    return fail(events, ErrorKind::connection_lost,
                tls_ ? tls_->error_text() : std::string("write: ") + std::strerror(errno));
  }
  if (offset == pending.size()) {
    pending.clear();
    offset = 0;
    write_blocked_ = false;
  } else if (offset > 65536) {
    pending.erase(0, offset);
    offset = 0;
  }
  last_write_ = Clock::now();
}

std::uint16_t BenchConnection::next_packet_id() noexcept {
  if (++last_packet_id_ == 0) last_packet_id_ = 1;
  return last_packet_id_;
}

void BenchConnection::publish(std::string_view topic, std::string_view payload, int qos) {
  const std::uint16_t id = qos > 0 ? next_packet_id() : 0;
  append_publish(out_, settings_->version, topic, payload, qos, id);
  if (qos > 0) ++inflight_;
}

void BenchConnection::subscribe(std::string_view filter, int qos) {
  append_subscribe(out_, settings_->version, next_packet_id(), filter, qos);
}

void BenchConnection::ping() {
  append_pingreq(out_);
  last_ping_ = Clock::now();
}

void BenchConnection::disconnect() { append_disconnect(out_); }

}  // namespace mqtk::bench
