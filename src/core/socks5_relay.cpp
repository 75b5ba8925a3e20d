// Why a relay: paho.mqtt.c 1.3.12 has no SOCKS support; its only proxy protocol is HTTP CONNECT
// (Proxy.c). Rather than patch or fork paho, mqtk runs this small relay on loopback and tells
// paho it is an HTTP proxy; the relay opens the real path (SOCKS5, or a plain TCP connection)
// and then copies bytes both ways. paho stays unmodified.
//
// Why HTTP CONNECT towards paho instead of a plain port forward (paho -> tcp://127.0.0.1:PORT):
// - paho keeps the broker's real URI, so over TLS it sends the broker's name as SNI and verifies
//   the certificate against it. Through a forward it would verify against 127.0.0.1, and the
//   only ways out would be refusing mqtts+SOCKS5 or weakening verification.
// - The websocket Host header and ConnectResult::server_uri keep naming the real broker.
// - paho's proxy option is always set, so its fallback to $http_proxy / $https_proxy (read in
//   MQTTProtocol_connect whenever the option is empty) can never reroute the tunnel. The same
//   relay with no upstream proxy is how ProxyRoute keeps those variables from applying at all.
// The price is paho's Proxy_connect(), which polls for the proxy's answer every 250 ms: up to
// 250 ms more per connect, as with any HTTP proxy.
//
// Whatever CONNECT target paho names, the relay only ever reaches the target it was built for,
// so another local user cannot borrow the loopback port (and the proxy credentials behind it)
// to reach anything but that broker.
//
// Threads: one accepts; each accepted connection gets its own thread for the handshake and then
// the byte pump (paho holds one connection at a time, so that is one or two threads), so a slow
// proxy or an idle local connection never stalls a live tunnel. Every wait also polls one
// eventfd that the destructor makes readable, and the accept thread joins the tunnel threads.

#include "core/socks5_relay.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <list>
#include <mutex>
#include <optional>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <mqtk/error.hpp>
#include "core/socket_io.hpp"
#include "core/socks5_client.hpp"

namespace mqtk {
// Named, not anonymous: the unity build includes this file, and GCC warns when a class
// declared in a header holds a type from an anonymous namespace of another file.
namespace socks5_relay_parts {

using detail::Deadline;
using detail::Fd;
using detail::SocketError;
using detail::SocketStopped;

// Below paho's own 10 s limit in Proxy_connect(), so paho hears our 502 and we keep the reason.
constexpr std::chrono::seconds handshake_timeout{8};
constexpr std::size_t max_request_header = 8192;
constexpr std::size_t buffer_size = 16 * 1024;
constexpr std::size_t max_tunnels = 16;  // a local process must not make us spawn threads at will
// How long a stopping relay keeps forwarding what paho wrote just before it closed.
constexpr std::chrono::milliseconds drain_timeout{1000};

constexpr std::string_view connected_reply = "HTTP/1.1 200 Connection established\r\n\r\n";
constexpr std::string_view failed_reply = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
constexpr std::string_view not_connect_reply =
    "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n";

// One direction of a tunnel: bytes read from one side and not yet written to the other.
struct Direction {
  std::vector<char> buffer = std::vector<char>(buffer_size);
  std::size_t begin = 0;
  std::size_t end = 0;
  bool eof = false;   // the source closed its sending side
  bool shut = false;  // ... and that was passed on (shutdown) once the buffer drained

  bool pending() const noexcept { return begin < end; }
  bool wants_input() const noexcept { return !eof && end < buffer.size(); }
};

short interest(const Direction& reading, const Direction& writing) {
  short events = 0;
  if (reading.wants_input()) events |= POLLIN;
  if (writing.pending()) events |= POLLOUT;
  return events;
}

int remaining_ms(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<long long>(left.count(), 0));
}

bool would_block() { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }

// Moves what can move now from `from` to `to` without blocking; false on a socket error.
bool transfer(int from, int to, Direction& d) {
  if (d.wants_input()) {
    const ssize_t n = ::recv(from, d.buffer.data() + d.end, d.buffer.size() - d.end, 0);
    if (n > 0) d.end += static_cast<std::size_t>(n);
    else if (n == 0) d.eof = true;
    else if (!would_block()) return false;
  }
  if (d.pending()) {
    const ssize_t n = ::send(to, d.buffer.data() + d.begin, d.end - d.begin, MSG_NOSIGNAL);
    if (n > 0) d.begin += static_cast<std::size_t>(n);
    else if (n < 0 && !would_block()) return false;
    if (d.begin == d.end) d.begin = d.end = 0;
  }
  if (d.eof && !d.pending() && !d.shut) {
    ::shutdown(to, SHUT_WR);
    d.shut = true;
  }
  return true;
}

struct TunnelThread {
  std::thread thread;
  std::atomic<bool> finished{false};
};

}  // namespace socks5_relay_parts

using namespace socks5_relay_parts;

class Socks5Relay::Impl {
 public:
  Impl(const ProxyOptions& proxy, std::string target_host, std::uint16_t target_port,
       bool remote_dns)
      : proxy_(proxy),
        target_host_(std::move(target_host)),
        target_port_(target_port),
        remote_dns_(remote_dns) {
    if (proxy_.kind == ProxyKind::socks5 &&
        (proxy_.username.value_or("").size() > 255 || proxy_.password.value_or("").size() > 255))
      throw UsageError("SOCKS5 proxy user name and password are limited to 255 bytes each");
    if (proxy_.kind == ProxyKind::socks5 && remote_dns_ && target_host_.size() > 255)
      throw UsageError("host name '" + target_host_ + "' is too long for a SOCKS5 proxy");
    listen_on_loopback();
    wake_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!wake_) throw Error(ErrorCategory::runtime, "relay: eventfd: " + detail::describe_errno(errno));
    thread_ = std::thread([this] { accept_loop(); });
  }

  ~Impl() {
    // Never read, so it stays readable and every thread's poll() sees it.
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_.get(), &one, sizeof one);
    thread_.join();
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::size_t tunnels_opened() const noexcept { return tunnels_opened_.load(); }
  std::string last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
  }
  bool flush(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return sending_changed_.wait_for(lock, timeout, [&] { return sending_ == 0; });
  }

 private:
  void listen_on_loopback() {
    listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (!listener_ || ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener_.get(), 16) != 0 ||
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw Error(ErrorCategory::runtime,
                  "relay: cannot listen on 127.0.0.1: " + detail::describe_errno(errno));
    port_ = ntohs(address.sin_port);
  }

  // Counts tunnels whose client side may still have bytes for the target (see flush()).
  void sending(int change) {
    {
      std::lock_guard lock(mutex_);
      sending_ = static_cast<std::size_t>(static_cast<long long>(sending_) + change);
    }
    sending_changed_.notify_all();
  }

  void record(std::string error) {
    std::lock_guard lock(mutex_);
    last_error_ = std::move(error);
  }

  void accept_loop() {
    std::list<TunnelThread> tunnels;
    for (;;) {
      pollfd fds[2] = {{wake_.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
        record("relay stopped: poll: " + detail::describe_errno(errno));
        break;
      }
      if (fds[0].revents) break;
      if (!(fds[1].revents & POLLIN)) continue;
      Fd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!client) continue;  // the peer gave up already, or a transient accept error
      for (auto it = tunnels.begin(); it != tunnels.end();) {
        if (!it->finished) {
          ++it;
          continue;
        }
        it->thread.join();
        it = tunnels.erase(it);
      }
      if (tunnels.size() >= max_tunnels) continue;  // closes `client`
      TunnelThread& tunnel = tunnels.emplace_back();
      tunnel.thread = std::thread([this, &tunnel, fd = std::move(client)]() mutable {
        serve(std::move(fd));
        tunnel.finished = true;
      });
    }
    listener_.reset();  // later connects fail at once instead of waiting in the backlog
    for (TunnelThread& tunnel : tunnels) tunnel.thread.join();
  }

  void serve(Fd client) noexcept {
    try {
      if (Fd upstream = handshake(client.get())) pump(client.get(), upstream.get());
    } catch (const std::exception&) {
      // SocketStopped, or the client went away mid-handshake: nothing to tell anyone.
    }
  }

  // Reads paho's CONNECT request, opens the path to the target and answers 200 or 502.
  Fd handshake(int client) {
    const Deadline deadline = std::chrono::steady_clock::now() + handshake_timeout;
    std::string request;
    detail::recv_until(client, request, "\r\n\r\n", max_request_header, deadline, wake_.get());
    if (request.rfind("CONNECT ", 0) != 0) {
      detail::send_all(client, not_connect_reply, deadline, wake_.get());
      return Fd();
    }
    Fd upstream;
    try {
      upstream = open_upstream(deadline);
    } catch (const SocketStopped&) {
      throw;
    } catch (const SocketError& e) {
      record(e.what());  // before paho can see the failure, so its error message can use it
      detail::send_all(client, failed_reply, deadline, wake_.get());
      return Fd();
    }
    sending(+1);  // before paho can send anything flush() must wait for; pump() takes it back
    try {
      // One write: paho reads the 12-byte status, then discards only what already arrived.
      detail::send_all(client, connected_reply, deadline, wake_.get());
    } catch (...) {
      sending(-1);
      throw;
    }
    record("");
    ++tunnels_opened_;
    return upstream;
  }

  Fd open_upstream(Deadline deadline) {
    if (proxy_.kind == ProxyKind::socks5)
      return detail::socks5_connect(proxy_, target_host_, target_port_, remote_dns_, deadline,
                                    wake_.get());
    try {
      return detail::connect_tcp(target_host_, target_port_, deadline, wake_.get());
    } catch (const SocketStopped&) {
      throw;
    } catch (const SocketError& e) {
      const bool ipv6 = target_host_.find(':') != std::string::npos;
      throw SocketError("cannot connect to " + (ipv6 ? "[" + target_host_ + "]" : target_host_) +
                        ":" + std::to_string(target_port_) + ": " + e.what());
    }
  }

  // Copies both ways until both sides have closed, or either fails. A side with nothing to do
  // is left out of poll(), so a peer that hung up cannot make it spin.
  //
  // Once the owner stops the relay, what paho wrote before closing (a last PUBLISH, its
  // DISCONNECT) may still sit in our socket: paho is gone by then (ProxyRoute outlives it), so
  // keep copying towards the broker until paho's side is drained and closed, for a short while.
  void pump(int client, int upstream) {
    Direction up;    // client -> upstream
    Direction down;  // upstream -> client
    std::optional<Deadline> draining;
    struct SendingGuard {  // leaves the flush() count once, when `up` is done or we give up
      Impl& relay;
      bool counted = true;
      void done() {
        if (counted) relay.sending(-1);
        counted = false;
      }
      ~SendingGuard() { done(); }
    } guard{*this};
    while (!(up.shut && down.shut) && !(draining && up.shut)) {
      if (up.shut) guard.done();
      const short client_events = interest(up, down);
      const short upstream_events = interest(down, up);
      pollfd fds[3] = {{draining ? -1 : wake_.get(), POLLIN, 0},
                       {client_events ? client : -1, client_events, 0},
                       {upstream_events ? upstream : -1, upstream_events, 0}};
      const int n = ::poll(fds, 3, draining ? remaining_ms(*draining) : -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || (n == 0 && draining)) return;
      if (fds[0].revents) {
        draining = std::chrono::steady_clock::now() + drain_timeout;
        continue;
      }
      if ((fds[1].revents | fds[2].revents) & (POLLERR | POLLNVAL)) return;
      if (!transfer(client, upstream, up) || !transfer(upstream, client, down)) return;
    }
  }

  const ProxyOptions proxy_;
  const std::string target_host_;
  const std::uint16_t target_port_;
  const bool remote_dns_;
  Fd listener_;
  Fd wake_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable sending_changed_;
  std::size_t sending_ = 0;
  std::string last_error_;
  std::atomic<std::size_t> tunnels_opened_{0};
  std::thread thread_;  // last: starts once everything above exists
};

Socks5Relay::Socks5Relay(const ProxyOptions& proxy, std::string target_host,
                         std::uint16_t target_port, bool remote_dns)
    : impl_(std::make_unique<Impl>(proxy, std::move(target_host), target_port, remote_dns)) {}

Socks5Relay::~Socks5Relay() = default;

std::uint16_t Socks5Relay::port() const noexcept { return impl_->port(); }
std::string Socks5Relay::last_error() const { return impl_->last_error(); }
std::size_t Socks5Relay::tunnels_opened() const noexcept { return impl_->tunnels_opened(); }
bool Socks5Relay::flush(std::chrono::milliseconds timeout) const { return impl_->flush(timeout); }

}  // namespace mqtk
