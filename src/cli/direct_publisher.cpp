#include "cli/direct_publisher.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "core/connack_refusal.hpp"
#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

using Clock = std::chrono::steady_clock;
using bench::PacketType;

constexpr std::uint16_t packet_id = 1;  // paho's first identifier too


bench::MqttVersion codec_version(ProtocolVersion version) {
  switch (version) {
    case ProtocolVersion::v31: return bench::MqttVersion::v31;
    case ProtocolVersion::v311: return bench::MqttVersion::v311;
    case ProtocolVersion::v5: return bench::MqttVersion::v5;
  }
  return bench::MqttVersion::v311;
}

bool reached(detail::Deadline deadline) { return Clock::now() >= deadline; }

}  // namespace

DirectPublisher::DirectPublisher(const ClientOptions& options, std::string client_id, int wake_fd)
    : options_(options),
      client_id_(std::move(client_id)),
      version_(codec_version(options.version)),
      wake_fd_(wake_fd) {}

bench::Connack DirectPublisher::connect() {
  const std::string uri = display_uri(options_.broker);
  const std::string where = "could not connect to " + uri + ": ";
  const auto deadline = Clock::now() + options_.connect_timeout;
  const auto no_connack = [&] {
    return ConnectError(where + "no CONNACK within " +
                        std::to_string(options_.connect_timeout.count()) + " ms");
  };
  try {
    socket_ = detail::connect_tcp(options_.broker.host, options_.broker.port, deadline, wake_fd_);
  } catch (const detail::SocketStopped&) {
    throw ConnectError("connect to " + uri + " cancelled");
  } catch (const detail::SocketError& error) {
    // A connect that hangs is reported as the core reports it: its CONNACK never came.
    if (reached(deadline)) throw no_connack();
    // The same words as network_diagnosis.hpp gives the core ("connection refused", "could
    // not resolve host 'x': ..."): both come from describe_errno and gai_strerror.
    throw ConnectError(where + error.what());
  }
  const int on = 1;
  // CONNECT, PUBLISH and DISCONNECT are each one small write that nothing follows until the
  // broker answers; Nagle would only hold back the DISCONNECT after a QoS 0 PUBLISH.
  ::setsockopt(socket_.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);

  bench::ConnectFields fields;
  fields.version = version_;
  fields.client_id = client_id_;
  fields.username = options_.username;
  fields.password = options_.password;
  fields.keepalive_s = options_.keepalive_s;
  fields.clean_start = options_.clean_session;
  if (version_ == bench::MqttVersion::v5) fields.session_expiry_s = options_.effective_session_expiry();
  std::string packet;
  bench::append_connect(packet, fields);
  try {
    send_packet(packet, deadline);
    const std::optional<bench::PacketView> reply = receive(deadline);
    if (!reply) throw no_connack();
    if (reply->type != PacketType::connack) throw ConnectError(where + detail::closed_before_connack);
    const bench::Connack connack = bench::parse_connack(*reply, version_);
    if (connack.reason_code != 0) {
      throw ConnectError(where + detail::describe_any_connack_refusal(options_.version, connack.reason_code),
                         connack.reason_code);
    }
    keepalive_ = std::chrono::seconds(connack.server_keepalive_s.value_or(options_.keepalive_s));
    // From here on a signal no longer interrupts a wait (see publish()).
    wake_fd_ = -1;
    return connack;
  } catch (const detail::SocketStopped&) {
    throw ConnectError("connect to " + uri + " cancelled");
  } catch (const detail::SocketError&) {
    if (reached(deadline)) throw no_connack();
    throw ConnectError(where + detail::closed_before_connack);
  } catch (const bench::CodecError&) {
    throw ConnectError(where + detail::closed_before_connack);
  }
}

DirectResult DirectPublisher::publish(const Message& message, detail::Deadline deadline) {
  std::string packet;
  bench::append_publish(packet, version_, message.topic, message.payload, message.qos, packet_id,
                        false, message.retain);
  try {
    send_packet(packet, deadline);
    if (message.qos == 0) return {};
    return await_acknowledgement(message.qos, deadline);
  } catch (const detail::SocketError&) {
    if (reached(deadline)) return {DirectOutcome::timed_out};
    return {DirectOutcome::connection_lost};
  } catch (const bench::CodecError&) {
    return {DirectOutcome::connection_lost};
  }
}

DirectResult DirectPublisher::await_acknowledgement(int qos, detail::Deadline deadline) {
  PacketType expected = qos == 1 ? PacketType::puback : PacketType::pubrec;
  for (;;) {
    const auto ping_due = last_sent_ + keepalive_;
    const auto until = keepalive_.count() > 0 ? std::min(deadline, ping_due) : deadline;
    const std::optional<bench::PacketView> packet = receive(until);
    if (!packet) {
      if (reached(deadline)) return {DirectOutcome::timed_out};
      std::string ping;
      bench::append_pingreq(ping);
      send_packet(ping, deadline);
      continue;
    }
    if (packet->type == PacketType::disconnect)
      return {DirectOutcome::closed_by_broker, bench::parse_disconnect_reason(*packet)};
    if (packet->type != expected) {
      answer_unsolicited(*packet, deadline);
      continue;
    }
    const bench::Ack ack = bench::parse_ack(*packet, version_);
    if (ack.packet_id != packet_id) continue;
    if (ack.reason_code >= 0x80) return {DirectOutcome::refused, ack.reason_code};
    if (expected != PacketType::pubrec) return {};
    std::string release;
    bench::append_ack(release, PacketType::pubrel, packet_id);
    send_packet(release, deadline);
    expected = PacketType::pubcomp;
  }
}

void DirectPublisher::answer_unsolicited(const bench::PacketView& packet, detail::Deadline deadline) {
  std::string reply;
  if (packet.type == PacketType::publish) {
    const bench::IncomingPublish incoming = bench::parse_publish(packet, version_);
    // Delivered to nobody, as in the core client whose queue `pub` never reads, but
    // acknowledged so the broker does not send it again.
    if (incoming.qos == 1) bench::append_ack(reply, PacketType::puback, incoming.packet_id);
    if (incoming.qos == 2) bench::append_ack(reply, PacketType::pubrec, incoming.packet_id);
  } else if (packet.type == PacketType::pubrel) {
    bench::append_ack(reply, PacketType::pubcomp, bench::parse_ack(packet, version_).packet_id);
  }
  if (!reply.empty()) send_packet(reply, deadline);
}

void DirectPublisher::disconnect() noexcept {
  if (!socket_) return;
  try {
    const auto deadline = Clock::now() + std::chrono::seconds(2);
    // Unread bytes at close() would make the kernel reset the connection instead of closing it,
    // and a reset may discard the DISCONNECT; whatever has arrived is read and answered first.
    while (const std::optional<bench::PacketView> packet = receive(Clock::now()))
      answer_unsolicited(*packet, deadline);
  } catch (const std::exception&) {
    // Gone or unreadable: the DISCONNECT below may still get through.
  }
  try {
    std::string packet;
    bench::append_disconnect(packet);
    send_packet(packet, Clock::now() + std::chrono::seconds(2));
  } catch (const std::exception&) {
  }
  socket_.reset();
}

void DirectPublisher::send_packet(std::string_view bytes, detail::Deadline deadline) {
  detail::send_all(socket_.get(), bytes, deadline, wake_fd_);
  last_sent_ = Clock::now();
}

std::optional<bench::PacketView> DirectPublisher::receive(detail::Deadline until) {
  inbox_.erase(0, consumed_);
  consumed_ = 0;
  for (;;) {
    if (const std::optional<bench::FramedPacket> framed = bench::next_packet(inbox_)) {
      consumed_ = framed->size;
      return framed->packet;
    }
    std::array<char, 16384> buffer;
    const ssize_t n = ::recv(socket_.get(), buffer.data(), buffer.size(), 0);
    if (n > 0) {
      inbox_.append(buffer.data(), static_cast<std::size_t>(n));
    } else if (n == 0) {
      throw detail::SocketError("the connection was closed");
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (reached(until)) return std::nullopt;
      try {
        detail::wait_for(socket_.get(), POLLIN, until, wake_fd_);
      } catch (const detail::SocketStopped&) {
        throw;
      } catch (const detail::SocketError&) {
        if (reached(until)) return std::nullopt;
        throw;
      }
    } else if (errno != EINTR) {
      throw detail::SocketError(detail::describe_errno(errno));
    }
  }
}

}  // namespace mqtk::cli
