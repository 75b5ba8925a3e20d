#pragma once
// Internal to the native engine: what sits between the MQTT bytes and the socket when the
// connection is not plain TCP. Layers stack bottom up as the connection is built (TLS for
// mqtts/wss, then websocket framing for ws/wss); the proxy handshake happens before any of them,
// on the bare socket (core/stream_opener.hpp). Plain TCP has no LayerStack at all, so its path
// through the engine has neither a virtual call nor a copy more than before.
//
// Thread-safety: none. The native engine calls a stack only under its mutex_ (an OpenSSL
// session must never be used by two threads at once).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mqtk::detail {

class StreamLayer {
 public:
  virtual ~StreamLayer() = default;
  // Appends to `below` the bytes that carry `data` one layer down.
  virtual void wrap(std::string_view data, std::string& below) = 0;
  // Takes `below` (bytes from one layer down; an incomplete record or frame is kept for the
  // next call), appends what they carry to `data`, and what this layer must answer (a pong, a
  // TLS post-handshake reply) to `reply`, which still has to go through the layers under this
  // one. Throws SocketError when the peer closed the layer (TLS close_notify, websocket close)
  // or sent something malformed.
  virtual void unwrap(std::string_view below, std::string& data, std::string& reply) = 0;
};

class LayerStack {
 public:
  void push(std::unique_ptr<StreamLayer> layer) { layers_.push_back(std::move(layer)); }
  bool empty() const noexcept { return layers_.empty(); }

  // MQTT bytes in, socket bytes appended to `wire`.
  void wrap(std::string_view data, std::string& wire) { wrap_below(layers_.size(), data, wire); }

  // Socket bytes in; MQTT bytes appended to `data`, answers for the socket to `wire`.
  void unwrap(std::string_view wire, std::string& data, std::string& wire_reply) {
    std::string carried(wire);
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      std::string up;
      std::string reply;
      layers_[i]->unwrap(carried, up, reply);
      if (!reply.empty()) wrap_below(i, reply, wire_reply);
      carried = std::move(up);
    }
    data.append(carried);
  }

 private:
  // Wraps `data` through the layers under layers_[top] (all of them when top == size).
  void wrap_below(std::size_t top, std::string_view data, std::string& wire) {
    if (top == 0) {
      wire.append(data);
      return;
    }
    std::string carried(data);
    for (std::size_t i = top; i-- > 0;) {
      std::string below;
      layers_[i]->wrap(carried, below);
      carried = std::move(below);
    }
    wire.append(carried);
  }

  std::vector<std::unique_ptr<StreamLayer>> layers_;  // [0] next to the socket
};

}  // namespace mqtk::detail
