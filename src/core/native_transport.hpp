#pragma once
// Internal to the core: mqtk's own MQTT engine, used for every connection unless
// ClientOptions::engine asks for paho (transport.cpp). Why not paho: paho.mqtt.c 1.3 serves every
// client of a process from one receive and one send thread, reads each packet with several
// system calls and hands every message and acknowledgement across threads. On this project's
// 2-core reference box that held `mqtk sub` to 0.85x mosquitto_sub, `pub -l` at QoS 1 to 0.6x
// MQTT.js and the bridge to 0.6x mosquitto's own bridge (PERF-NOTES, README "Engines"). paho
// also acknowledges QoS>0 messages on receipt, cannot send four-byte properties above INT32_MAX
// and hides packet identifiers.
//
// A connection is built layer by layer (core/stream_opener.hpp): TCP, directly or through a
// SOCKS5 or HTTP CONNECT proxy; TLS for mqtts/wss; websocket framing for ws/wss. The layers
// above TCP (a LayerStack, null on plain TCP so that path stays as it was) turn out_ into the
// bytes of wire_out_ and what the socket brings back into MQTT bytes; they are used only under
// mutex_, which is what keeps one OpenSSL session from being used by two threads at once.
//
// Here each connection has one network thread. It reads up to 64 KiB at a time, decodes every
// packet in it (core/wire_codec.hpp), delivers messages, and answers all of them with one write.
// Callers append their packets to the same output buffer under mutex_ and write it themselves
// while the socket takes it; what the socket does not take yet, the network thread writes when
// it can. A QoS 0 publish counts as done once the socket has taken its last byte, so a fast
// publisher is held back by the network, never by memory.
//
// With ClientOptions::manual_acks a received QoS 1/2 message is answered (PUBACK, PUBREC) only
// when the owner acknowledges it, so the broker resends whatever the application never
// finished and sends no more than its in-flight limit meanwhile.
//
// Session state: QoS>0 publishes awaiting their acknowledgement and QoS 2 messages received but
// not yet released stay here across a reconnect when the session may persist, and are resent
// (PUBLISH with DUP, PUBREL) when the broker says it kept the session; otherwise they are
// reported interrupted and the owner sends them again (transport.hpp).

#include <bitset>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/socket_io.hpp"
#include "core/stream_layer.hpp"
#include "core/transport.hpp"
#include "core/wire_frame.hpp"

namespace mqtk::detail {

class NativeTransport final : public Transport {
 public:
  NativeTransport(const ClientOptions& options, const std::string& client_id, TransportEvents& events);
  ~NativeTransport() override;

  ConnectResult connect(std::chrono::steady_clock::time_point deadline,
                        const std::function<bool()>& cancelled) override;
  void disconnect() noexcept override;
  void interrupt() noexcept override;
  void publish(std::uint64_t id, std::shared_ptr<const Message> message, Write write) override;
  void flush() override;
  void subscribe(std::uint64_t id, std::span<const Subscription> subscriptions) override;
  void unsubscribe(std::uint64_t id, const std::vector<std::string>& filters) override;
  void acknowledge(std::span<const Receipt> receipts) override;
  bool carries_per_filter_options() const noexcept override { return true; }

 private:
  using Clock = std::chrono::steady_clock;

  struct Outbound {  // a QoS>0 publish awaiting PUBACK, PUBREC or PUBCOMP
    std::uint64_t id = 0;
    std::shared_ptr<const Message> message;
    bool released = false;  // QoS 2: PUBREC came, PUBREL sent, PUBCOMP awaited
    std::optional<int> reason_code{};  // from PUBREC, reported with the PUBCOMP
  };
  struct Completion {
    std::uint64_t id = 0;
    PublishOutcome outcome{};
  };
  using Completions = std::vector<Completion>;

  // native_transport.cpp
  // The layers above TCP come back in `layers` (left null on plain TCP).
  Fd open_connection(Clock::time_point deadline, std::string& inbox, ConnectResult& result,
                     std::unique_ptr<LayerStack>& layers);
  void resume_session_locked(bool session_present, Completions& interrupted);
  std::uint16_t next_packet_id_locked();
  // Writes what the socket takes now; true when nothing is left. Throws SocketError.
  bool flush_locked(Completions& written);
  bool flush_layered_locked(Completions& written);
  void complete_written_qos0_locked(Completions& written);
  bool output_pending_locked() const noexcept { return !out_.empty() || wire_sent_ < wire_out_.size(); }
  // Writes what the socket takes of out_ now; true when the network thread must be woken to
  // write the rest once the socket takes more.
  bool send_queued_locked(Completions& written);
  // SUBSCRIBE or UNSUBSCRIBE: `encode_and_track` appends the packet with the identifier it is
  // given and records what its answer completes; throws TransportRejected when not connected.
  void send_request(const std::function<void(std::uint16_t)>& encode_and_track);
  void wake_network_thread() noexcept;
  void report(Completions& completions);

  // native_transport_loop.cpp: the network thread of one connection.
  void network_loop(int fd, std::string inbox);
  // What one read brought, handled packet by packet; messages are handed over together.
  struct ReadBatch {
    std::string acks;               // answers, written after the whole read
    Completions done;               // publishes the broker acknowledged
    std::vector<Message> messages;  // for the owner, in arrival order
    std::vector<std::uint16_t> unacknowledged;  // manual_acks: packet ids the owner must answer
    std::vector<std::string> topic_aliases;  // inbound, v5: valid for this connection only
  };
  void handle_packet(const wire::PacketView& packet, ReadBatch& batch);
  void deliver(wire::PacketView packet, ReadBatch& batch);
  void end_connection(const std::string& cause, std::optional<int> broker_reason);

  const ClientOptions& options_;
  std::string client_id_;
  TransportEvents& events_;
  bool persistent_session_ = false;  // the broker may keep our session across a reconnect
  Fd cancel_;  // eventfd: interrupt() ends every connect from then on
  Fd wake_;    // eventfd: the network thread must look at the output buffer or stop
  std::thread network_;
  // Received QoS 2 packet identifiers not yet released (PUBREL): delivered once only. Touched
  // by the network thread, and by connect() while none runs.
  std::set<std::uint16_t> inbound_qos2_;

  std::mutex mutex_;  // everything below
  Fd socket_;
  bool connected_ = false;
  bool closing_ = false;       // disconnect() runs: the network thread ends without an event
  bool pollout_armed_ = false;  // the network thread waits for the socket to take output
  std::string out_;            // encoded packets; out_[0, out_sent_) already written
  std::size_t out_sent_ = 0;
  std::uint64_t bytes_written_ = 0;  // of out_, taken by the socket on this connection, ever
  std::uint64_t bytes_taken_ = 0;    // of out_, taken by the socket or the layers
  // Layered connections only (null on plain TCP): out_ goes through layers_ into wire_out_.
  std::unique_ptr<LayerStack> layers_;
  std::string wire_out_;  // wire_out_[0, wire_sent_) already written
  std::size_t wire_sent_ = 0;
  std::uint64_t wire_queued_total_ = 0;  // bytes ever appended to wire_out_
  std::uint64_t wire_sent_total_ = 0;
  // (wire_queued_total_, bytes_taken_) after each wrap: once the socket has taken that much of
  // wire_out_, that much of out_ counts as written.
  std::deque<std::pair<std::uint64_t, std::uint64_t>> wire_marks_;
  // QoS 0 publishes not yet taken by the socket: (bytes_written_ once it is, id).
  std::deque<std::pair<std::uint64_t, std::uint64_t>> qos0_;
  std::map<std::uint16_t, Outbound> outbound_;
  std::map<std::uint16_t, std::pair<std::uint64_t, std::size_t>> subscribes_;  // id, filters
  std::map<std::uint16_t, std::uint64_t> unsubscribes_;
  std::uint16_t last_packet_id_ = 0;
  // manual_acks: received QoS 1/2 packet identifiers of this connection not yet acknowledged.
  std::bitset<65536> awaiting_ack_;
  Clock::time_point last_write_{};
  // The in-flight window the owner keeps to (ClientOptions::max_inflight, lowered to the
  // broker's receive maximum): with half of it awaiting acknowledgements, reading them is what
  // the owner's publisher waits for, and receive coalescing must not delay it.
  std::size_t send_window_ = 1;
};

}  // namespace mqtk::detail
