// mqtk's own engine: connecting, the session across reconnects, and the operations callers
// start. Why it exists and how its threads share the work: native_transport.hpp.

#include "core/native_transport.hpp"

#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/connack_refusal.hpp"
#include "core/in_flight_window.hpp"
#include "core/thread_name.hpp"
#include "core/network_diagnosis.hpp"
#include "core/proxy_route.hpp"
#include "core/stream_opener.hpp"
#include "core/tls_layer.hpp"
#include "core/wire_codec.hpp"
#include <mqtk/error.hpp>

namespace mqtk::detail {
namespace {


Fd make_eventfd() {
  Fd fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!fd) throw Error(ErrorCategory::runtime, "eventfd: " + describe_errno(errno));
  return fd;
}

void signal_eventfd(int fd) noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(fd, &one, sizeof one);
}

}  // namespace

NativeTransport::NativeTransport(const ClientOptions& options, const std::string& client_id,
                                 TransportEvents& events)
    : options_(options),
      client_id_(client_id),
      events_(events),
      persistent_session_(!options.clean_session ||
                          (options.version == ProtocolVersion::v5 && options.session_expiry_s &&
                           *options.session_expiry_s > 0)),
      cancel_(make_eventfd()),
      wake_(make_eventfd()) {}

NativeTransport::~NativeTransport() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_network_thread();
  if (network_.joinable()) network_.join();
}

void NativeTransport::interrupt() noexcept { signal_eventfd(cancel_.get()); }

void NativeTransport::wake_network_thread() noexcept { signal_eventfd(wake_.get()); }

ConnectResult NativeTransport::connect(Clock::time_point deadline,
                                       const std::function<bool()>& cancelled) {
  // The previous connection's thread has ended (it reported the loss) or is ending now.
  if (network_.joinable()) network_.join();
  if (cancelled()) throw ConnectError("connect to " + display_uri(options_.broker) + " cancelled");
  std::string inbox;
  ConnectResult result;
  std::unique_ptr<LayerStack> layers;
  Fd socket = open_connection(deadline, inbox, result, layers);
  Completions interrupted;
  {
    std::lock_guard lock(mutex_);
    socket_ = std::move(socket);
    layers_ = std::move(layers);
    wire_out_.clear();
    wire_sent_ = 0;
    wire_queued_total_ = 0;
    wire_sent_total_ = 0;
    wire_marks_.clear();
    connected_ = true;
    closing_ = false;
    out_.clear();
    out_sent_ = 0;
    awaiting_ack_.reset();
    bytes_written_ = 0;
    bytes_taken_ = 0;
    last_write_ = Clock::now();
    send_window_ = in_flight_window(options_, result);
    resume_session_locked(result.session_present, interrupted);
    try {
      flush_locked(interrupted);
    } catch (const SocketError&) {
      // The network thread sees the same failure at once and reports the loss.
    }
  }
  report(interrupted);
  network_ = std::thread([this, fd = socket_.get(), inbox = std::move(inbox)]() mutable {
    name_this_thread("net:" + client_id_.substr(client_id_.size() - std::min<std::size_t>(client_id_.size(), 11)));
    network_loop(fd, std::move(inbox));
  });
  return result;
}

Fd NativeTransport::open_connection(Clock::time_point deadline, std::string& inbox,
                                    ConnectResult& result, std::unique_ptr<LayerStack>& layers) {
  std::string uri = display_uri(options_.broker);
  const std::string proxy = proxy_display(options_.proxy);
  if (!proxy.empty()) uri += " through proxy " + proxy;
  const std::string where = "could not connect to " + uri + ": ";
  const auto no_connack = [&] {
    return ConnectError(where + "no CONNACK within " +
                        std::to_string(options_.connect_timeout.count()) + " ms");
  };
  const auto cancelled = [&] { return ConnectError("connect to " + uri + " cancelled"); };
  // The words the paho engine gives (describe_connect_failure, ProxyRoute::diagnose_failure).
  const auto tls_failure = [&](const std::string& why) {
    return ConnectError(where + (proxy.empty() ? "TLS handshake failed: " : "TLS handshake with the broker failed: ") + why, -1);
  };
  Fd socket;
  try {
    socket = open_tcp(options_, deadline, cancel_.get());
  } catch (const SocketStopped&) {
    throw cancelled();
  } catch (const SocketError& error) {
    if (Clock::now() >= deadline) throw no_connack();
    // The words network_diagnosis gives the paho engine: both come from describe_errno and
    // gai_strerror ("connection refused", "could not resolve host 'x': ..."); a proxy's own.
    throw ConnectError(where + error.what(), -1);
  }
  auto stack = std::make_unique<LayerStack>();
  try {
    if (uses_tls(options_)) {
      std::shared_ptr<const TlsContext> context;
      try {
        context = std::make_shared<const TlsContext>(options_.tls, options_.broker.host);
      } catch (const TlsSetupError& error) {
        throw ConnectError(where + "TLS set-up failed: " + error.what(), -1);
      }
      start_tls(socket.get(), std::move(context), *stack, deadline, cancel_.get());
    }
    const mqtk::Transport transport = options_.broker.transport;
    if (transport == mqtk::Transport::websocket || transport == mqtk::Transport::websocket_tls)
      start_websocket(socket.get(), options_, *stack, inbox, deadline, cancel_.get());
  } catch (const SocketStopped&) {
    throw cancelled();
  } catch (const TlsError& error) {
    throw tls_failure(error.what());
  } catch (const SocketError& error) {
    if (Clock::now() >= deadline) throw no_connack();
    throw ConnectError(where + error.what(), -1);
  } catch (const wire::CodecError& error) {
    throw ConnectError(where + "websocket: " + error.what(), -1);
  }
  LayerStack* const layered = stack->empty() ? nullptr : stack.get();
  std::string connect_packet;
  wire::append_connect(connect_packet, options_, client_id_);
  try {
    send_layered(socket.get(), layered, connect_packet, deadline, cancel_.get());
    std::optional<wire::FramedPacket> framed;
    while (!(framed = wire::next_packet(inbox))) receive_layered(socket.get(), layered, inbox, deadline, cancel_.get());
    if (framed->packet.type != wire::PacketType::connack) throw ConnectError(where + closed_before_connack);
    wire::Connack connack = wire::decode_connack(framed->packet, options_.version);
    if (connack.reason_code != 0) {
      throw ConnectError(where + describe_any_connack_refusal(options_.version, connack.reason_code),
                         connack.reason_code);
    }
    // What came after the CONNACK in the same read (a kept session's messages) is the network
    // thread's to decode.
    inbox.erase(0, framed->size);
    result = std::move(connack.connect_result);
    result.session_present = connack.session_present;
  } catch (const SocketStopped&) {
    throw cancelled();
  } catch (const TlsError& error) {
    // TLS 1.3: a broker that wants a client certificate says so only after the handshake.
    throw tls_failure(error.what());
  } catch (const SocketError&) {
    if (Clock::now() >= deadline) throw no_connack();
    if (layered != nullptr && uses_tls(options_) && proxy.empty()) {
      // A broker that refuses us after a TLS 1.3 handshake (no client certificate) closes with
      // our CONNECT unread, which resets the connection and drops its alert: a handshake that
      // sends nothing after it hears the reason (as the paho engine does).
      if (std::string why = diagnose_tls_handshake(options_, std::chrono::milliseconds(2000)); !why.empty())
        throw tls_failure(why);
    }
    throw ConnectError(where + closed_before_connack, -1);
  } catch (const wire::CodecError&) {
    throw ConnectError(where + closed_before_connack, -1);
  }
  result.version = options_.version;
  result.client_id = result.assigned_client_id.value_or(client_id_);
  result.server_uri = options_.broker.paho_uri();
  if (layered != nullptr) layers = std::move(stack);
  return socket;
}

void NativeTransport::resume_session_locked(bool session_present, Completions& interrupted) {
  if (!session_present) {
    inbound_qos2_.clear();
    for (auto& [packet_id, outbound] : outbound_)
      interrupted.push_back({outbound.id, {PublishOutcome::Kind::interrupted, std::nullopt,
                                           "the broker kept no session"}});
    outbound_.clear();
    return;
  }
  // MQTT 3.1.1 4.4 / 5 4.4: resend unacknowledged PUBLISH (with DUP) and PUBREL, in the order
  // they were first sent.
  std::vector<std::pair<std::uint64_t, std::uint16_t>> order;
  for (const auto& [packet_id, outbound] : outbound_) order.emplace_back(outbound.id, packet_id);
  std::sort(order.begin(), order.end());
  for (const auto& [id, packet_id] : order) {
    const Outbound& outbound = outbound_.at(packet_id);
    if (outbound.released)
      wire::append_publish_ack(out_, wire::PacketType::pubrel, packet_id, options_.version);
    else
      wire::append_publish(out_, *outbound.message, options_.version, packet_id, true);
  }
}

std::uint16_t NativeTransport::next_packet_id_locked() {
  // At most 65535 identifiers are in use at once: the owner's window is far below that.
  do {
    last_packet_id_ = static_cast<std::uint16_t>(last_packet_id_ + 1);
  } while (last_packet_id_ == 0 || outbound_.count(last_packet_id_) ||
           subscribes_.count(last_packet_id_) || unsubscribes_.count(last_packet_id_));
  return last_packet_id_;
}

void NativeTransport::report(Completions& completions) {
  for (Completion& done : completions) events_.on_publish_done(done.id, std::move(done.outcome));
  completions.clear();
}

void NativeTransport::publish(std::uint64_t id, std::shared_ptr<const Message> message,
                              Write write) {
  // A batch is held back no further than this much output: one large write is enough.
  constexpr std::size_t batch_limit = 64 * 1024;
  Completions written;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!connected_ || closing_) throw TransportRejected("not connected");
    if (message->qos > 0) {
      const std::uint16_t packet_id = next_packet_id_locked();
      wire::append_publish(out_, *message, options_.version, packet_id, false);
      outbound_.emplace(packet_id, Outbound{id, std::move(message)});
    } else {
      wire::append_publish(out_, *message, options_.version, 0, false);
      qos0_.emplace_back(bytes_taken_ + (out_.size() - out_sent_), id);
    }
    if (write == Write::batched && out_.size() - out_sent_ < batch_limit) return;
    wake = send_queued_locked(written);
  }
  if (wake) wake_network_thread();
  report(written);
}

void NativeTransport::flush() {
  Completions written;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!connected_ || closing_ || out_sent_ == out_.size()) return;
    wake = send_queued_locked(written);
  }
  if (wake) wake_network_thread();
  report(written);
}

void NativeTransport::send_request(const std::function<void(std::uint16_t)>& encode_and_track) {
  bool wake = false;
  Completions written;
  {
    std::lock_guard lock(mutex_);
    if (!connected_ || closing_) throw TransportRejected("not connected");
    encode_and_track(next_packet_id_locked());
    wake = send_queued_locked(written);
  }
  if (wake) wake_network_thread();
  report(written);
}

void NativeTransport::subscribe(std::uint64_t id, std::span<const Subscription> subscriptions) {
  send_request([&](std::uint16_t packet_id) {
    wire::append_subscribe(out_, options_.version, packet_id, subscriptions);
    subscribes_.emplace(packet_id, std::pair{id, subscriptions.size()});
  });
}

void NativeTransport::unsubscribe(std::uint64_t id, const std::vector<std::string>& filters) {
  send_request([&](std::uint16_t packet_id) {
    wire::append_unsubscribe(out_, options_.version, packet_id, filters);
    unsubscribes_.emplace(packet_id, id);
  });
}

void NativeTransport::acknowledge(std::span<const Receipt> receipts) {
  bool wake = false;
  Completions written;
  {
    std::lock_guard lock(mutex_);
    if (!connected_ || closing_) return;  // the broker resends them on the next connection
    bool any = false;
    for (const Receipt& receipt : receipts) {
      if (receipt.qos <= 0 || receipt.packet_id == 0 || !awaiting_ack_.test(receipt.packet_id)) continue;
      awaiting_ack_.reset(receipt.packet_id);
      wire::append_publish_ack(out_, receipt.qos == 1 ? wire::PacketType::puback : wire::PacketType::pubrec,
                               receipt.packet_id, options_.version);
      any = true;
    }
    if (!any) return;
    wake = send_queued_locked(written);
  }
  if (wake) wake_network_thread();
  report(written);
}

void NativeTransport::disconnect() noexcept {
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  int fd = -1;
  {
    std::lock_guard lock(mutex_);
    if (connected_ && !closing_) {
      closing_ = true;
      wire::append_disconnect(out_, options_.version);
      fd = socket_.get();
    }
  }
  wake_network_thread();
  if (network_.joinable()) network_.join();  // it leaves the socket to us once closing_ is set
  if (fd < 0) return;
  Completions written;
  try {
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        if (flush_locked(written)) break;
      }
      wait_for(fd, POLLOUT, deadline, -1);
    }
    // Closing with unread input would reset the connection, and a broker may then drop what it
    // had not yet read (the DISCONNECT itself: it would publish the will). So half-close and
    // read until the broker closes its side, which it does on DISCONNECT.
    ::shutdown(fd, SHUT_WR);
    char sink[4096];
    for (;;) {
      wait_for(fd, POLLIN, std::min(deadline, Clock::now() + std::chrono::milliseconds(500)), -1);
      if (::recv(fd, sink, sizeof sink, 0) <= 0) break;
    }
  } catch (const std::exception&) {
    // Gone or slow: nothing more to say to the broker.
  }
  std::lock_guard lock(mutex_);
  socket_.reset();
  layers_.reset();
  connected_ = false;
  out_.clear();
  out_sent_ = 0;
}

}  // namespace mqtk::detail
