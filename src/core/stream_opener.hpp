#pragma once
// Internal to the native engine: building a connection to the broker layer by layer, each step
// blocking with the connect deadline and the engine's cancel descriptor:
//   TCP (directly, or through the SOCKS5 or HTTP CONNECT proxy handshake)
//   -> TLS handshake (mqtts, wss)  -> websocket upgrade (ws, wss)  -> MQTT.
// The layers above TCP are returned as a LayerStack the engine keeps for the connection.

#include <memory>
#include <string>
#include <string_view>

#include <mqtk/client_options.hpp>
#include "core/socket_io.hpp"
#include "core/stream_layer.hpp"

namespace mqtk::detail {

class TlsContext;

// The TCP connection to the broker (or to the proxy's tunnel), TCP_NODELAY set. Throws
// SocketError: a proxy's reason names the proxy (core/socks5_client.hpp, core/http_connect.hpp).
Fd open_tcp(const ClientOptions& options, Deadline deadline, int wake_fd);

// Performs the TLS handshake on `socket` and pushes the TLS layer onto `layers`. Throws
// TlsError (the certificate check, an alert, the broker closing the connection) or SocketError
// (timed out, stopped).
void start_tls(int socket, std::shared_ptr<const TlsContext> context, LayerStack& layers,
               Deadline deadline, int wake_fd);

// Sends the HTTP upgrade through `layers`, checks the "101 Switching Protocols" answer and pushes
// the websocket layer; MQTT bytes that came with the answer are appended to `received`. Throws
// SocketError ("websocket upgrade refused: HTTP/1.1 404 Not Found").
void start_websocket(int socket, const ClientOptions& options, LayerStack& layers,
                     std::string& received, Deadline deadline, int wake_fd);

// `data` through `layers` (none: as is) onto the socket.
void send_layered(int socket, LayerStack* layers, std::string_view data, Deadline deadline, int wake_fd);

// Waits for input and appends what it carries to `data` (answering pings and TLS messages on the
// way). Throws SocketError, e.g. when the broker closed the connection.
void receive_layered(int socket, LayerStack* layers, std::string& data, Deadline deadline, int wake_fd);

}  // namespace mqtk::detail
