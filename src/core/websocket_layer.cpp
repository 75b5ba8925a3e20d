#include "core/websocket_layer.hpp"

#include "core/socket_io.hpp"
#include "core/websocket_frame.hpp"

namespace mqtk::detail {

void WebsocketLayer::wrap(std::string_view data, std::string& below) {
  if (data.empty()) return;
  append_websocket_frame(below, data, static_cast<std::uint32_t>(random_()));
}

void WebsocketLayer::unwrap(std::string_view below, std::string& data, std::string& reply) {
  pending_.append(below);
  const WebsocketInput input = read_websocket_frames(pending_, data, static_cast<std::uint32_t>(random_()));
  pending_.erase(0, input.consumed);
  reply += input.pongs;
  if (input.closed) throw SocketError("the broker closed the websocket");
}

}  // namespace mqtk::detail
