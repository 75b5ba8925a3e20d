// Written here rather than run as a tool: socat (RELIABILITY-NOTES 2.1) can only be killed, not
// stalled, delayed or cut mid-packet, and toxiproxy is not packaged for Debian. One thread polls
// the listener and every relayed pair; the test's calls change the shared state under a mutex,
// wake the thread through a pipe and wait until it has applied them.

#include "support/fault_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "core/socket_io.hpp"

namespace mqtk::test {

// Named, not anonymous: the unity build includes this file, and GCC warns when a class
// declared in a header holds a type from an anonymous namespace of another file.
namespace fault_proxy_parts {

using Clock = std::chrono::steady_clock;
using mqtk::detail::Fd;

// A side stops being read while this much is waiting to be written to its peer.
constexpr std::size_t backlog_limit = 1 << 20;
constexpr std::size_t read_size = 64 * 1024;

struct Chunk {
  Clock::time_point due;
  std::string bytes;
  std::size_t sent = 0;
};

struct Side {
  Fd fd;
  std::deque<Chunk> outgoing;  // bytes to write to this side
  std::size_t outgoing_bytes = 0;
  bool eof = false;  // this side closed its sending half
};

struct Connection {
  Side client;
  Side broker;
  bool closed = false;
};

void close_with_reset(Fd& fd) {
  if (!fd) return;
  const linger abort_on_close{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  fd.reset();
}

void close_connection(Connection& c, FaultProxy::Drop how) {
  for (Side* side : {&c.client, &c.broker}) {
    if (how == FaultProxy::Drop::reset) {
      close_with_reset(side->fd);
    } else if (side->fd) {
      ::shutdown(side->fd.get(), SHUT_RDWR);
      side->fd.reset();
    }
  }
  c.closed = true;
}

// Listens on host:port (0: any free port); returns the socket and the port it got.
std::optional<std::pair<Fd, std::uint16_t>> try_listen(const std::string& host,
                                                       std::uint16_t port) {
  Fd sock(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!sock) return std::nullopt;
  const int on = 1;
  ::setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return std::nullopt;
  if (::bind(sock.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(sock.get(), 64) != 0)
    return std::nullopt;
  socklen_t length = sizeof address;
  ::getsockname(sock.get(), reinterpret_cast<sockaddr*>(&address), &length);
  return std::pair{std::move(sock), ntohs(address.sin_port)};
}

}  // namespace fault_proxy_parts

using namespace fault_proxy_parts;

struct FaultProxy::Relay {
  Relay(std::string host, std::uint16_t port, std::string listen_on)
      : target_host(std::move(host)), target_port(port), listen_host(std::move(listen_on)) {
    std::optional<std::pair<Fd, std::uint16_t>> listening = try_listen(listen_host, 0);
    if (!listening) throw std::runtime_error("fault proxy: cannot listen on " + listen_host);
    listener = std::move(listening->first);
    listen_port = listening->second;
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
      throw std::runtime_error("fault proxy: pipe2 failed");
    wake_read.reset(fds[0]);
    wake_write.reset(fds[1]);
    thread = std::thread([this] { run(); });
  }

  ~Relay() {
    {
      const std::lock_guard lock(mutex);
      stopping = true;
    }
    wake();
    thread.join();
  }

  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  void wake() const noexcept {
    const char byte = 1;
    [[maybe_unused]] const auto ignored = ::write(wake_write.get(), &byte, 1);
  }

  // Applies `change` to the shared state and waits until the relay thread has acted on it.
  template <typename Change>
  void request(Change&& change) {
    std::unique_lock lock(mutex);
    change();
    const std::uint64_t generation = ++requested;
    wake();
    applied_cv.wait(lock, [&] { return applied >= generation; });
    if (listen_error) throw std::runtime_error(*listen_error);
  }

  void run();
  void apply_requests();
  void accept_clients();
  void read_side(Connection& c, Side& from, Side& to, Direction direction, Clock::time_point now);
  void write_side(Side& to, bool to_broker, Clock::time_point now);

  const std::string target_host;
  const std::uint16_t target_port;
  const std::string listen_host;
  std::uint16_t listen_port = 0;
  Fd listener;
  Fd wake_read;
  Fd wake_write;

  mutable std::mutex mutex;  // guards everything below up to `thread`
  std::condition_variable applied_cv;
  bool stopping = false;
  bool stalled = false;
  bool refusing = false;
  std::chrono::milliseconds delay{0};
  std::optional<Direction> cut;
  std::optional<Drop> drop;
  std::uint64_t requested = 0;
  std::uint64_t applied = 0;
  std::optional<std::string> listen_error;
  FaultProxyCounters counters;

  std::thread thread;
  // Owned by the relay thread alone.
  std::vector<std::unique_ptr<Connection>> connections;
  bool stalled_now = false;
  std::chrono::milliseconds delay_now{0};
};

void FaultProxy::Relay::apply_requests() {
  const std::lock_guard lock(mutex);
  if (drop) {
    for (auto& c : connections) close_connection(*c, *drop);
    drop.reset();
  }
  std::erase_if(connections, [](const auto& c) { return c->closed; });
  if (refusing && listener) listener.reset();
  if (!refusing && !listener) {
    if (auto listening = try_listen(listen_host, listen_port)) {
      listener = std::move(listening->first);
      listen_error.reset();
    } else {
      listen_error = "fault proxy: cannot listen again on port " + std::to_string(listen_port);
    }
  }
  stalled_now = stalled;
  delay_now = delay;
  counters.live = connections.size();
  applied = requested;
  applied_cv.notify_all();
}

void FaultProxy::Relay::accept_clients() {
  while (listener) {
    Fd client(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!client) return;
    auto c = std::make_unique<Connection>();
    try {
      c->broker.fd = mqtk::detail::connect_tcp(target_host, target_port,
                                               Clock::now() + std::chrono::seconds{2}, -1);
    } catch (const mqtk::detail::SocketError&) {
      close_with_reset(client);  // the broker is down: the client sees its connection reset
      continue;
    }
    const int on = 1;
    ::setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    ::setsockopt(c->broker.fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    c->client.fd = std::move(client);
    connections.push_back(std::move(c));
    const std::lock_guard lock(mutex);
    ++counters.accepted;
    counters.live = connections.size();
  }
}

void FaultProxy::Relay::read_side(Connection& c, Side& from, Side& to, Direction direction,
                                  Clock::time_point now) {
  std::string buffer(read_size, '\0');
  const ssize_t n = ::recv(from.fd.get(), buffer.data(), buffer.size(), 0);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) close_connection(c, Drop::reset);
    return;
  }
  if (n == 0) {
    from.eof = true;
    return;
  }
  buffer.resize(static_cast<std::size_t>(n));
  bool cut_here = false;
  {
    const std::lock_guard lock(mutex);
    (direction == Direction::to_broker ? counters.bytes_from_client : counters.bytes_from_broker) +=
        buffer.size();
    if (cut && (*cut == Direction::any || *cut == direction)) {
      cut.reset();
      cut_here = true;
    }
  }
  if (cut_here) {
    // Whatever was queued before goes first, then half of this chunk, then the connection ends.
    buffer.resize(buffer.size() / 2);
    to.outgoing_bytes += buffer.size();
    to.outgoing.push_back({now, std::move(buffer)});
    write_side(to, direction != Direction::to_client, Clock::time_point::max());
    close_connection(c, Drop::reset);
    // Counted once the connection is gone, so a test that saw the cut also sees it closed.
    const std::lock_guard lock(mutex);
    ++counters.cuts;
    counters.live = static_cast<std::size_t>(std::count_if(
        connections.begin(), connections.end(), [](const auto& k) { return !k->closed; }));
    return;
  }
  to.outgoing_bytes += buffer.size();
  to.outgoing.push_back({now + delay_now, std::move(buffer)});
}

// Writes the chunks due by `now` (all of them with time_point::max()), as far as the socket takes.
void FaultProxy::Relay::write_side(Side& to, bool to_broker, Clock::time_point now) {
  std::size_t written = 0;
  while (to.fd && !to.outgoing.empty() && to.outgoing.front().due <= now) {
    Chunk& chunk = to.outgoing.front();
    const ssize_t n = ::send(to.fd.get(), chunk.bytes.data() + chunk.sent,
                             chunk.bytes.size() - chunk.sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // full (EAGAIN) or failed: a failure shows up as POLLERR/POLLHUP
    chunk.sent += static_cast<std::size_t>(n);
    to.outgoing_bytes -= static_cast<std::size_t>(n);
    written += static_cast<std::size_t>(n);
    if (chunk.sent == chunk.bytes.size()) to.outgoing.pop_front();
  }
  if (written == 0) return;
  const std::lock_guard lock(mutex);
  (to_broker ? counters.bytes_to_broker : counters.bytes_to_client) += written;
}

void FaultProxy::Relay::run() {
  std::vector<pollfd> fds;
  for (;;) {
    {
      const std::lock_guard lock(mutex);
      if (stopping) return;
    }
    apply_requests();
    const Clock::time_point now = Clock::now();
    std::optional<Clock::time_point> next_due;
    fds.clear();
    fds.push_back({wake_read.get(), POLLIN, 0});
    if (listener) fds.push_back({listener.get(), POLLIN, 0});
    const std::size_t first_connection = fds.size();
    // A stalled relay does not even watch its connections: a hang-up must not pass either.
    if (!stalled_now) {
      for (const auto& c : connections) {
        for (const auto& [side, peer] : {std::pair{&c->client, &c->broker},
                                        std::pair{&c->broker, &c->client}}) {
          short events = 0;
          if (!side->eof && peer->outgoing_bytes < backlog_limit) events |= POLLIN;
          if (!side->outgoing.empty()) {
            if (side->outgoing.front().due <= now) events |= POLLOUT;
            else next_due = std::min(next_due.value_or(Clock::time_point::max()),
                                     side->outgoing.front().due);
          }
          fds.push_back({side->fd.get(), events, 0});
        }
      }
    }
    int timeout_ms = -1;
    if (next_due) {
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next_due - now);
      timeout_ms = static_cast<int>(std::max<std::chrono::milliseconds::rep>(wait.count(), 0));
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR)
      throw std::runtime_error("fault proxy: poll failed");
    if (fds[0].revents) {
      char drain[64];
      while (::read(wake_read.get(), drain, sizeof drain) > 0) {
      }
    }
    if (listener && fds[1].revents) accept_clients();
    if (stalled_now) continue;
    const Clock::time_point after = Clock::now();
    for (std::size_t i = 0; i < connections.size() && first_connection + 2 * i + 1 < fds.size();
         ++i) {
      Connection& c = *connections[i];
      const short client_events = fds[first_connection + 2 * i].revents;
      const short broker_events = fds[first_connection + 2 * i + 1].revents;
      if (client_events & POLLIN) read_side(c, c.client, c.broker, Direction::to_broker, after);
      if (!c.closed && (broker_events & POLLIN))
        read_side(c, c.broker, c.client, Direction::to_client, after);
      if (c.closed) continue;
      if ((client_events | broker_events) & POLLERR) {
        close_connection(c, Drop::reset);
        continue;
      }
      write_side(c.broker, true, after);
      write_side(c.client, false, after);
      // One side finished sending and the other has received all of it: end the pair.
      const bool client_done = c.client.eof && c.broker.outgoing.empty();
      const bool broker_done = c.broker.eof && c.client.outgoing.empty();
      if (client_done || broker_done)
        close_connection(c, Drop::fin);
      else if ((client_events | broker_events) & POLLHUP)
        close_connection(c, Drop::reset);
    }
    const bool any_closed =
        std::erase_if(connections, [](const auto& c) { return c->closed; }) > 0;
    if (any_closed) {
      const std::lock_guard lock(mutex);
      counters.live = connections.size();
    }
  }
}

FaultProxy::FaultProxy(std::string target_host, std::uint16_t target_port,
                       std::string listen_host)
    : listen_host_(listen_host),
      relay_(std::make_unique<Relay>(std::move(target_host), target_port, std::move(listen_host))),
      port_(relay_->listen_port) {}

FaultProxy::~FaultProxy() = default;

void FaultProxy::drop_all(Drop how) {
  relay_->request([&] { relay_->drop = how; });
}

void FaultProxy::stall(bool stalled) {
  relay_->request([&] { relay_->stalled = stalled; });
}

void FaultProxy::set_delay(std::chrono::milliseconds delay) {
  relay_->request([&] { relay_->delay = delay; });
}

void FaultProxy::cut_mid_packet(Direction direction) {
  relay_->request([&] { relay_->cut = direction; });
}

void FaultProxy::refuse(bool refusing) {
  relay_->request([&] { relay_->refusing = refusing; });
}

FaultProxyCounters FaultProxy::counters() const {
  const std::lock_guard lock(relay_->mutex);
  return relay_->counters;
}

namespace {
template <typename Done>
bool poll_until(Done done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}
}  // namespace

bool FaultProxy::wait_for_accepted(std::size_t count, std::chrono::milliseconds timeout) const {
  return poll_until([&] { return counters().accepted >= count; }, timeout);
}

bool FaultProxy::wait_for_cuts(std::size_t count, std::chrono::milliseconds timeout) const {
  return poll_until([&] { return counters().cuts >= count; }, timeout);
}

}  // namespace mqtk::test
