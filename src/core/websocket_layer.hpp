#pragma once
// Internal to the native engine: MQTT over websockets as a StreamLayer. Outgoing MQTT bytes go
// out as masked binary frames; incoming binary and continuation frames (a message may be split
// into fragments anywhere) become the MQTT byte stream again; a ping is answered with a pong, a
// close frame ends the connection like a TCP reset. The upgrade itself happens before, in
// core/stream_opener.cpp.

#include <cstdint>
#include <random>
#include <string>

#include "core/stream_layer.hpp"

namespace mqtk::detail {

class WebsocketLayer final : public StreamLayer {
 public:
  explicit WebsocketLayer(std::uint32_t seed) : random_(seed) {}

  void wrap(std::string_view data, std::string& below) override;
  void unwrap(std::string_view below, std::string& data, std::string& reply) override;

 private:
  std::mt19937 random_;  // frame masks: they must vary, not be secret (RFC 6455 10.3 protects proxies' caches)
  std::string pending_;  // the start of a frame not yet complete
};

}  // namespace mqtk::detail
