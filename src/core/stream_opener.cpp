#include "core/stream_opener.hpp"

#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <random>
#include <sys/socket.h>

#include "core/http_connect.hpp"
#include "core/socks5_client.hpp"
#include "core/tls_layer.hpp"
#include "core/websocket_frame.hpp"
#include "core/websocket_layer.hpp"

namespace mqtk::detail {
namespace {

constexpr std::size_t upgrade_response_limit = 16 * 1024;

// Appends one read's bytes to `raw`; false when there was nothing to read after all.
bool read_some(int socket, std::string& raw, Deadline deadline, int wake_fd) {
  wait_for(socket, POLLIN, deadline, wake_fd);
  char chunk[16 * 1024];
  const ssize_t got = ::recv(socket, chunk, sizeof chunk, MSG_DONTWAIT);
  if (got == 0) throw SocketError("the broker closed the connection");
  if (got < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return false;
    throw SocketError(describe_errno(errno));
  }
  raw.append(chunk, static_cast<std::size_t>(got));
  return true;
}

}  // namespace

Fd open_tcp(const ClientOptions& options, Deadline deadline, int wake_fd) {
  const ProxyOptions& proxy = options.proxy;
  Fd socket;
  switch (proxy.kind) {
    case ProxyKind::none:
      socket = connect_tcp(options.broker.host, options.broker.port, deadline, wake_fd);
      break;
    case ProxyKind::socks5:
      socket = socks5_connect(proxy, options.broker.host, options.broker.port, proxy.remote_dns, deadline, wake_fd);
      break;
    case ProxyKind::http:
      socket = http_connect(proxy, options.broker.host, options.broker.port, deadline, wake_fd);
      break;
  }
  const int on = 1;
  // Acknowledgements and QoS 1 publishes are small writes a peer waits for: Nagle would hold
  // each back until the previous one is acknowledged (PERF-NOTES gotcha 1).
  ::setsockopt(socket.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return socket;
}

void start_tls(int socket, std::shared_ptr<const TlsContext> context, LayerStack& layers,
               Deadline deadline, int wake_fd) {
  auto tls = std::make_unique<TlsLayer>(std::move(context));
  std::string received;
  std::string to_send;
  for (;;) {
    const bool done = tls->handshake(received, to_send);
    received.clear();
    if (!to_send.empty()) send_all(socket, to_send, deadline, wake_fd);
    to_send.clear();
    if (done) break;
    try {
      read_some(socket, received, deadline, wake_fd);
    } catch (const SocketStopped&) {
      throw;
    } catch (const SocketError& error) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
      throw TlsError(std::string(error.what()) + " (is the port a TLS listener?)");
    }
  }
  layers.push(std::move(tls));
}

void start_websocket(int socket, const ClientOptions& options, LayerStack& layers,
                     std::string& received, Deadline deadline, int wake_fd) {
  std::random_device seed;
  std::mt19937 random(seed());
  const BrokerUrl& broker = options.broker;
  // paho's and the bench's default resource when the URL names none.
  const std::string path = broker.path.empty() ? "mqtt" : broker.path;
  send_layered(socket, &layers,
               websocket_upgrade_request(broker.host, broker.port, path, random, options.websocket_headers),
               deadline, wake_fd);
  std::string response;
  std::size_t size = 0;
  while ((size = websocket_response_size(response)) == 0) {
    if (response.size() > upgrade_response_limit)
      throw SocketError("websocket upgrade: no end to the broker's answer within " +
                        std::to_string(upgrade_response_limit) + " bytes");
    receive_layered(socket, &layers, response, deadline, wake_fd);
  }
  if (std::string refusal = websocket_response_error(std::string_view(response).substr(0, size)); !refusal.empty())
    throw SocketError(refusal);
  auto websocket = std::make_unique<WebsocketLayer>(static_cast<std::uint32_t>(random()));
  std::string pongs;
  websocket->unwrap(std::string_view(response).substr(size), received, pongs);
  if (!pongs.empty()) send_layered(socket, &layers, pongs, deadline, wake_fd);  // under the new layer
  layers.push(std::move(websocket));
}

void send_layered(int socket, LayerStack* layers, std::string_view data, Deadline deadline, int wake_fd) {
  if (layers == nullptr || layers->empty()) return send_all(socket, data, deadline, wake_fd);
  std::string wire;
  layers->wrap(data, wire);
  send_all(socket, wire, deadline, wake_fd);
}

void receive_layered(int socket, LayerStack* layers, std::string& data, Deadline deadline, int wake_fd) {
  if (layers == nullptr || layers->empty()) {
    read_some(socket, data, deadline, wake_fd);
    return;
  }
  std::string raw;
  if (!read_some(socket, raw, deadline, wake_fd)) return;
  std::string reply;
  layers->unwrap(raw, data, reply);
  if (!reply.empty()) send_all(socket, reply, deadline, wake_fd);
}

}  // namespace mqtk::detail
