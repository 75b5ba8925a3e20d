#pragma once
// MQTT over websockets (RFC 6455), for the native engine's websocket layer
// (core/websocket_layer.hpp) and the bench engine: the client's upgrade request and response
// check, binary frames out (masked, as a client must) and frames in, turned back into the MQTT
// byte stream. Only what an MQTT connection uses: binary and continuation frames,
// ping (answered with pong), pong, close.

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>

namespace mqtk::detail {

// "GET /path HTTP/1.1" with the MQTT subprotocol, a random key and `headers` (--ws-header).
std::string websocket_upgrade_request(std::string_view host, std::uint16_t port, std::string_view path,
                                      std::mt19937& random,
                                      const std::map<std::string, std::string>& headers = {});

// The response header block is complete in `buffer`: its size (through "\r\n\r\n"), else 0.
std::size_t websocket_response_size(std::string_view buffer) noexcept;
// Empty when the response is "101 Switching Protocols", else why it is not (the status line).
std::string websocket_response_error(std::string_view response);

// Appends `payload` as one masked binary frame.
void append_websocket_frame(std::string& out, std::string_view payload, std::uint32_t mask_key,
                            std::uint8_t opcode = 0x2);

struct WebsocketInput {
  std::size_t consumed = 0;  // bytes of the input used (whole frames only)
  bool closed = false;       // a close frame arrived
  std::string pongs;         // frames to send back (answers to pings), already masked
};

// Reads the complete frames at the start of `data`, appending the payload of binary and
// continuation frames to `stream`. Throws wire::CodecError on a malformed frame.
WebsocketInput read_websocket_frames(std::string_view data, std::string& stream, std::uint32_t mask_key);

}  // namespace mqtk::detail
