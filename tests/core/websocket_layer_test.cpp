// The native engine's websocket layer on bytes as mosquitto (or another broker) may send them:
// a message fragmented into continuation frames, frames split across reads, a ping in between
// (answered with a masked pong), a close (the end of the connection).
#include <doctest/doctest.h>

#include <string>

#include "core/socket_io.hpp"
#include "core/websocket_frame.hpp"
#include "core/websocket_layer.hpp"

using namespace mqtk::detail;
using namespace std::string_literals;

namespace {

// An unmasked server frame (FIN set unless `final` is false), payload under 126 bytes.
std::string server_frame(std::uint8_t opcode, const std::string& payload, bool final = true) {
  std::string frame;
  frame += static_cast<char>((final ? 0x80 : 0x00) | opcode);
  frame += static_cast<char>(payload.size());
  return frame + payload;
}

}  // namespace

TEST_CASE("fragments and split frames become one byte stream; a ping is answered with a pong") {
  const std::string wire = server_frame(0x2, "MQTT-", false) + server_frame(0x9, "are you there") +
                           server_frame(0x0, "bytes", false) + server_frame(0x0, "!", true);
  for (std::size_t cut : {std::size_t{1}, std::size_t{3}, std::size_t{9}, std::size_t{20}}) {
    CAPTURE(cut);
    WebsocketLayer layer(42);
    std::string data;
    std::string reply;
    layer.unwrap(std::string_view(wire).substr(0, cut), data, reply);
    layer.unwrap(std::string_view(wire).substr(cut), data, reply);
    CHECK(data == "MQTT-bytes!");
    // A masked client pong (0x8A) that echoes the ping's payload.
    REQUIRE(reply.size() == 2 + 4 + 13);
    CHECK(static_cast<std::uint8_t>(reply[0]) == 0x8A);
    CHECK(static_cast<std::uint8_t>(reply[1]) == (0x80 | 13));
    std::string echoed;
    for (std::size_t i = 0; i < 13; ++i) echoed += static_cast<char>(reply[6 + i] ^ reply[2 + i % 4]);
    CHECK(echoed == "are you there");
  }
}

TEST_CASE("what the layer wraps is one masked binary frame that reads back to the same bytes") {
  WebsocketLayer layer(7);
  std::string wire;
  layer.wrap("\x10\x0c\x00\x04MQTT"s, wire);
  CHECK(static_cast<std::uint8_t>(wire[0]) == 0x82);
  CHECK((static_cast<std::uint8_t>(wire[1]) & 0x80) != 0);  // masked, as a client must
  std::string back;
  read_websocket_frames(wire, back, 0);
  CHECK(back == "\x10\x0c\x00\x04MQTT"s);
}

TEST_CASE("a close frame ends the connection like a reset") {
  WebsocketLayer layer(1);
  std::string data;
  std::string reply;
  CHECK_THROWS_AS(layer.unwrap(server_frame(0x2, "ok") + server_frame(0x8, ""), data, reply), SocketError);
}
