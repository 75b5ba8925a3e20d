// mqtk's own engine: the network thread of one connection. It reads in large chunks, decodes
// every packet of a chunk, delivers messages and completes operations, then answers the whole
// chunk with one write; it also keeps the connection alive and notices when it has stalled.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <thread>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/liveness_watch.hpp"
#include "core/native_transport.hpp"
#include "core/wire_codec.hpp"
#include <mqtk/reason_code.hpp>

namespace mqtk::detail {
namespace {

using std::chrono::milliseconds;

constexpr std::size_t read_chunk = 64 * 1024;

// Receive coalescing. Waking for every packet of a stream costs a poll, a read and a hand-over
// (a futex wake and a context switch of the consumer) per message: at 100k msg/s on 2 cores that
// made `mqtk sub` spend a context switch per message and lose to single-threaded mosquitto_sub.
// Once reads come less than busy_gap apart, the thread pauses coalesce_pause before the next
// poll; a quiet connection never pauses, so a lone message is not delayed, and neither do the
// acknowledgements a window-bound publisher waits for (mosquitto grants a receive maximum of
// only 20 by default: pausing then capped `pub -l -q 1` at 20 messages per pause). 0.7 ms (it was 0.1,
// then 0.3): the bridge's CPU for 50k QoS 1 messages fell from 0.42-0.53 s to 0.22-0.34 s
// (0.3 ms) and 0.19 s (0.7 ms), and `mqtk sub`/`pub -l` lost nothing (bench/bridge.sh,
// sub_drain.sh, pub_lines.sh, same runs). It must stay below busy_gap, or a stream would never
// be seen as one.
// A send window of at least coalesce_window pauses all the same: one pause then still lets
// 64 / 0.7 ms = 91k msg/s through, while a window-bound bridge (window 100) woke its destination
// thread for every 3-4 PUBACKs mosquitto sent (14,000 context switches per 50,000 messages).
constexpr std::chrono::microseconds busy_gap{1000};
constexpr std::chrono::microseconds coalesce_pause{700};
constexpr std::size_t coalesce_window = 64;
static_assert(coalesce_pause < busy_gap);

std::string describe_silence(milliseconds silence, std::chrono::seconds keepalive) {
  char text[128];
  std::snprintf(text, sizeof text,
                "the broker sent nothing for %.1f s (keepalive %lld s): connection stalled",
                static_cast<double>(silence.count()) / 1000.0,
                static_cast<long long>(keepalive.count()));
  return text;
}

// Bytes read but not yet decoded. Unlike a std::string it never zero-fills the space a read
// may use (64 KiB per read would cost more than decoding what arrived).
class InputBuffer {
 public:
  explicit InputBuffer(std::string_view initial) {
    grow(initial.size() + read_chunk);
    std::memcpy(data_.get(), initial.data(), initial.size());
    end_ = initial.size();
  }
  std::string_view pending() const noexcept { return {data_.get() + begin_, end_ - begin_}; }
  void consume(std::size_t size) noexcept {
    begin_ += size;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  // Where the next read goes: at least `size` bytes.
  std::span<char> space(std::size_t size) {
    if (capacity_ - end_ < size) {
      if (begin_ > 0) {
        std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      if (capacity_ - end_ < size) grow(end_ + size);
    }
    return {data_.get() + end_, capacity_ - end_};
  }
  void commit(std::size_t size) noexcept { end_ += size; }

 private:
  void grow(std::size_t capacity) {
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (end_ > begin_) std::memcpy(bigger.get(), data_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    data_ = std::move(bigger);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

int poll_timeout(std::chrono::steady_clock::time_point now,
                 std::chrono::steady_clock::time_point next) {
  if (next <= now) return 0;
  return static_cast<int>(std::chrono::ceil<milliseconds>(next - now).count());
}

}  // namespace

void NativeTransport::network_loop(int fd, std::string received) {
  InputBuffer inbox(received);
  received = {};
  const std::chrono::seconds keepalive(options_.keepalive_s);
  const milliseconds silence_limit = LivenessWatch::silence_limit(keepalive);
  // A publisher that only writes hears nothing back: it pings once 3/4 of the keepalive has
  // passed without input, so silence means a stalled path and not just a quiet broker.
  const milliseconds quiet_ping = std::chrono::duration_cast<milliseconds>(keepalive) * 3 / 4;
  ReadBatch batch;
  Completions& done = batch.done;
  auto last_read = Clock::now();
  int busy_reads = 0;  // reads in a row that came soon after the previous one
  bool ping_pending = false;  // a PINGREQ went out and nothing has been read since
  std::string cause;
  std::optional<int> broker_reason;
  bool layered;
  {
    std::lock_guard lock(mutex_);
    layered = layers_ != nullptr;
  }
  std::unique_ptr<char[]> wire_in;  // layered: the socket's bytes before unwrapping
  if (layered) wire_in = std::make_unique_for_overwrite<char[]>(read_chunk);
  std::string unwrapped;
  try {
    for (;;) {
      // Decode everything complete that has arrived.
      bool decoded = false;
      while (auto framed = wire::next_packet(inbox.pending())) {
        decoded = true;
        if (framed->packet.type == wire::PacketType::disconnect) {
          const wire::Disconnect said = wire::decode_disconnect(framed->packet);
          broker_reason = said.reason_code;
          throw SocketError(describe_reason_code(said.reason_code));
        }
        handle_packet(framed->packet, batch);
        inbox.consume(framed->size);  // the packet's views stay valid until the next read
      }
      if (!batch.unacknowledged.empty()) {
        // Marked before the owner sees the messages: an acknowledgement may come at once.
        std::lock_guard lock(mutex_);
        for (std::uint16_t packet_id : batch.unacknowledged) awaiting_ack_.set(packet_id);
        batch.unacknowledged.clear();
      }
      if (!batch.messages.empty()) events_.on_messages(batch.messages);
      if (decoded) {
        // Delivering may have waited for a full queue: that time was ours, not the broker's.
        last_read = Clock::now();
      }
      report(done);

      bool want_output;
      bool publisher_waits_for_acks;
      auto now = Clock::now();
      Clock::time_point next_ping = Clock::time_point::max();
      {
        std::lock_guard lock(mutex_);
        if (closing_) return;  // disconnect() finishes the connection
        out_.append(batch.acks);
        batch.acks.clear();
        if (keepalive.count() > 0) {
          if (now - last_write_ >= keepalive || (!ping_pending && now - last_read >= quiet_ping)) {
            wire::append_pingreq(out_);
            ping_pending = true;
          }
        }
        flush_locked(done);
        want_output = output_pending_locked();
        pollout_armed_ = want_output;
        publisher_waits_for_acks = send_window_ < coalesce_window && outbound_.size() * 2 >= send_window_;
        if (keepalive.count() > 0) {
          next_ping = last_write_ + keepalive;
          if (!ping_pending) next_ping = std::min(next_ping, last_read + quiet_ping);
        }
      }
      report(done);
      now = Clock::now();
      int timeout = -1;
      if (keepalive.count() > 0) {
        if (now - last_read >= silence_limit)
          throw SocketError(describe_silence(
              std::chrono::duration_cast<milliseconds>(now - last_read), keepalive));
        timeout = std::min(poll_timeout(now, next_ping), poll_timeout(now, last_read + silence_limit));
      }
      if (busy_reads >= 2 && !publisher_waits_for_acks) {
        // Input is streaming in: let it gather for a moment so one read, one hand-over to the
        // owner and one write of acknowledgements serve many packets (see coalesce_pause).
        std::this_thread::sleep_for(coalesce_pause);
      }
      pollfd fds[2] = {{fd, static_cast<short>(POLLIN | (want_output ? POLLOUT : 0)), 0},
                       {wake_.get(), POLLIN, 0}};
      if (::poll(fds, 2, timeout) < 0) {
        if (errno == EINTR) continue;
        throw SocketError(describe_errno(errno));
      }
      if (fds[1].revents & POLLIN) {
        std::uint64_t count;
        [[maybe_unused]] const auto read = ::read(wake_.get(), &count, sizeof count);
      }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        // Read what is there now, up to a few chunks, so one write answers it all.
        for (int chunk = 0; chunk < 4; ++chunk) {
          // Plain TCP reads straight into the inbox; a layered connection reads the socket's
          // bytes aside and unwraps them under mutex_ (stream_layer.hpp).
          const std::span<char> space = layered ? std::span<char>(wire_in.get(), read_chunk)
                                                : inbox.space(read_chunk);
          const ssize_t got = ::recv(fd, space.data(), space.size(), MSG_DONTWAIT);
          const int error = errno;
          if (got == 0) throw SocketError("connection closed by the broker");
          if (got < 0) {
            if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR) break;
            throw SocketError(describe_errno(error));
          }
          if (layered) {
            unwrapped.clear();
            std::lock_guard lock(mutex_);
            std::string reply;
            layers_->unwrap({space.data(), static_cast<std::size_t>(got)}, unwrapped, reply);
            wire_queued_total_ += reply.size();
            wire_out_.append(reply);
            if (!unwrapped.empty()) {
              std::memcpy(inbox.space(unwrapped.size()).data(), unwrapped.data(), unwrapped.size());
              inbox.commit(unwrapped.size());
            }
          } else {
            inbox.commit(static_cast<std::size_t>(got));
          }
          {
            // Brokers leave Nagle's algorithm on (mosquitto's set_tcp_nodelay defaults to
            // false): the broker holds its next packets until our TCP acknowledgement of its
            // last segment comes, and Linux delays that by up to 40 ms while we have nothing to
            // send, e.g. while a window-bound publisher waits for PUBACKs (seen: `pub -l -q 1`
            // stalled 40 ms per window). The flag does not stick: set it after every read.
            const int on = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
          }
          const auto read_at = Clock::now();
          busy_reads = read_at - last_read < busy_gap ? busy_reads + 1 : 0;
          last_read = read_at;
          ping_pending = false;
          if (static_cast<std::size_t>(got) < space.size()) break;
        }
      }
    }
  } catch (const SocketError& error) {
    cause = error.what();
  } catch (const wire::CodecError& error) {
    cause = std::string("protocol error from the broker: ") + error.what();
  }
  // What was decoded before the end still reaches the owner (unacknowledged: a kept session
  // sends it again, QoS 2 only once).
  if (!batch.messages.empty()) events_.on_messages(batch.messages);
  report(done);
  end_connection(cause, broker_reason);
}

void NativeTransport::handle_packet(const wire::PacketView& packet, ReadBatch& batch) {
  using wire::PacketType;
  const ProtocolVersion version = options_.version;
  switch (packet.type) {
    case PacketType::publish:
      deliver(packet, batch);
      return;
    case PacketType::pubrel: {
      const wire::PublishAck ack = wire::decode_publish_ack(packet, version);
      inbound_qos2_.erase(ack.packet_id);
      wire::append_publish_ack(batch.acks, PacketType::pubcomp, ack.packet_id, version);
      return;
    }
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubcomp: {
      const wire::PublishAck ack = wire::decode_publish_ack(packet, version);
      std::lock_guard lock(mutex_);
      auto it = outbound_.find(ack.packet_id);
      if (it == outbound_.end()) return;  // a duplicate acknowledgement
      Outbound& outbound = it->second;
      const bool v5 = version == ProtocolVersion::v5;
      const std::optional<int> reason =
          v5 && ack.reason_code != 0 ? std::optional<int>(ack.reason_code) : std::nullopt;
      if (packet.type == PacketType::pubrec && !(reason && *reason >= 0x80)) {
        outbound.released = true;
        outbound.reason_code = reason;
        wire::append_publish_ack(batch.acks, PacketType::pubrel, ack.packet_id, version);
        return;
      }
      PublishOutcome outcome;
      outcome.reason_code = packet.type == PacketType::pubcomp && !reason ? outbound.reason_code : reason;
      if (reason && *reason >= 0x80 && packet.type != PacketType::pubcomp)
        outcome.kind = PublishOutcome::Kind::refused;
      batch.done.push_back({outbound.id, std::move(outcome)});
      outbound_.erase(it);
      return;
    }
    case PacketType::suback: {
      const wire::Suback suback = wire::decode_suback(packet, version);
      std::pair<std::uint64_t, std::size_t> pending;
      {
        std::lock_guard lock(mutex_);
        auto it = subscribes_.find(suback.packet_id);
        if (it == subscribes_.end()) return;
        pending = it->second;
        subscribes_.erase(it);
      }
      SubscribeOutcome outcome;
      outcome.answered = true;
      for (std::uint8_t code : suback.reason_codes) outcome.codes.push_back(code);
      events_.on_subscribe_done(pending.first, std::move(outcome));
      return;
    }
    case PacketType::unsuback: {
      const wire::Unsuback unsuback = wire::decode_unsuback(packet, version);
      std::uint64_t id;
      {
        std::lock_guard lock(mutex_);
        auto it = unsubscribes_.find(unsuback.packet_id);
        if (it == unsubscribes_.end()) return;
        id = it->second;
        unsubscribes_.erase(it);
      }
      events_.on_unsubscribe_done(id, {});
      return;
    }
    case PacketType::pingresp:
    case PacketType::disconnect:  // network_loop() ends the connection
      return;
    default:
      throw wire::CodecError("unexpected packet type " +
                             std::to_string(static_cast<int>(packet.type)));
  }
}

void NativeTransport::deliver(wire::PacketView packet, ReadBatch& batch) {
  std::vector<std::string>& topic_aliases = batch.topic_aliases;
  const ProtocolVersion version = options_.version;
  wire::ReceivedPublish incoming = wire::decode_publish(packet, version);
  Message& message = incoming.message;
  if (const auto alias = message.properties.topic_alias) {
    // v5 topic alias: a topic sets it, an empty topic uses it (MQTT 5 3.3.2.3.4).
    if (*alias == 0 || (options_.connect_properties.topic_alias_maximum &&
                        *alias > *options_.connect_properties.topic_alias_maximum))
      throw wire::CodecError("topic alias " + std::to_string(*alias) + " out of range");
    if (topic_aliases.size() <= *alias) topic_aliases.resize(*alias + 1u);
    if (message.topic.empty()) {
      if (topic_aliases[*alias].empty())
        throw wire::CodecError("topic alias " + std::to_string(*alias) + " was never set");
      message.topic = topic_aliases[*alias];
    } else {
      topic_aliases[*alias] = message.topic;
    }
  }
  message.received_at = std::chrono::system_clock::now();
  switch (message.qos) {
    case 0:
      batch.messages.push_back(std::move(message));
      break;
    case 1:
      message.packet_id = incoming.packet_id;
      batch.messages.push_back(std::move(message));
      if (options_.manual_acks)
        batch.unacknowledged.push_back(incoming.packet_id);
      else
        wire::append_publish_ack(batch.acks, wire::PacketType::puback, incoming.packet_id, version);
      break;
    default:
      message.packet_id = incoming.packet_id;
      // Exactly once: a resent PUBLISH whose PUBREL has not come yet was delivered already.
      if (inbound_qos2_.insert(incoming.packet_id).second) {
        batch.messages.push_back(std::move(message));
        if (options_.manual_acks) {
          batch.unacknowledged.push_back(incoming.packet_id);
          break;
        }
      }
      // A resend of what was delivered on an earlier connection is answered at once, manual or
      // not: that connection's acknowledgement can no longer be sent.
      wire::append_publish_ack(batch.acks, wire::PacketType::pubrec, incoming.packet_id, version);
      break;
  }
}

void NativeTransport::end_connection(const std::string& cause, std::optional<int> broker_reason) {
  Completions interrupted;
  std::vector<std::uint64_t> subscribes;
  std::vector<std::uint64_t> unsubscribes;
  {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    connected_ = false;
    awaiting_ack_.reset();
    if (socket_) ::shutdown(socket_.get(), SHUT_RDWR);
    socket_.reset();
    layers_.reset();
    wire_out_.clear();
    wire_sent_ = 0;
    out_.clear();
    out_sent_ = 0;
    pollout_armed_ = false;
    const PublishOutcome lost{PublishOutcome::Kind::interrupted, std::nullopt, cause};
    for (const auto& [end, id] : qos0_) interrupted.push_back({id, lost});
    qos0_.clear();
    if (!persistent_session_) {
      for (const auto& [packet_id, outbound] : outbound_) interrupted.push_back({outbound.id, lost});
      outbound_.clear();
    }
    for (const auto& [packet_id, pending] : subscribes_) subscribes.push_back(pending.first);
    for (const auto& [packet_id, id] : unsubscribes_) unsubscribes.push_back(id);
    subscribes_.clear();
    unsubscribes_.clear();
  }
  report(interrupted);
  for (std::uint64_t id : subscribes)
    events_.on_subscribe_done(id, {false, {}, "subscribe failed (connection lost: " + cause + ")"});
  for (std::uint64_t id : unsubscribes)
    events_.on_unsubscribe_done(id, "unsubscribe failed (connection lost: " + cause + ")");
  if (broker_reason)
    events_.on_broker_disconnect(*broker_reason);
  else
    events_.on_connection_lost(cause);
}

}  // namespace mqtk::detail
