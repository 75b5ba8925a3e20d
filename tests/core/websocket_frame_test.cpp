// Websocket framing (native engine and bench): masked client frames, frames from the broker split
// anywhere, pings answered, the upgrade response checked.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "core/websocket_frame.hpp"
#include "core/wire_frame.hpp"

using namespace mqtk::detail;
using mqtk::detail::wire::CodecError;
using namespace std::string_literals;

TEST_SUITE_BEGIN("core.websocket_frame");

TEST_CASE("a client frame is masked and reads back to its payload") {
  for (const std::size_t size : {std::size_t{0}, std::size_t{5}, std::size_t{125}, std::size_t{126},
                                 std::size_t{70000}}) {
    const std::string payload(size, 'm');
    std::string frame;
    append_websocket_frame(frame, payload, 0x01020304);
    CHECK(static_cast<unsigned char>(frame[0]) == 0x82);
    CHECK((static_cast<unsigned char>(frame[1]) & 0x80) != 0);  // masked
    std::string stream;
    const WebsocketInput input = read_websocket_frames(frame, stream, 0);
    CHECK(input.consumed == frame.size());
    CHECK(stream == payload);
  }
}

TEST_CASE("server frames split at any byte arrive whole, pings are answered") {
  const std::string frames = "\x82\x03" "abc" "\x89\x01" "p" "\x02\x02" "de"s;  // binary, ping, continuation
  for (std::size_t cut = 0; cut <= frames.size(); ++cut) {
    std::string stream;
    const WebsocketInput first = read_websocket_frames(frames.substr(0, cut), stream, 7);
    const WebsocketInput second = read_websocket_frames(frames.substr(first.consumed), stream, 7);
    CHECK(first.consumed + second.consumed == frames.size());
    CHECK(stream == "abcde");
    CHECK(first.pongs.size() + second.pongs.size() == 7);  // 2 header + 4 mask + 1 payload
  }
  std::string stream;
  CHECK(read_websocket_frames("\x88\x00"s, stream, 0).closed);
  CHECK_THROWS_AS(read_websocket_frames("\x81\x01x"s, stream, 0), CodecError);  // text frame
}

TEST_CASE("the upgrade request and response") {
  std::mt19937 random(3);
  const std::string request = websocket_upgrade_request("broker", 8080, "mqtt", random);
  CHECK(request.starts_with("GET /mqtt HTTP/1.1\r\nHost: broker:8080\r\n"));
  CHECK(request.find("Sec-WebSocket-Protocol: mqtt\r\n") != std::string::npos);
  CHECK(request.ends_with("\r\n\r\n"));
  CHECK(websocket_response_size("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n") == 0);
  const std::string ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  CHECK(websocket_response_size(ok + "\x82") == ok.size());
  CHECK(websocket_response_error(ok).empty());
  CHECK(websocket_response_error("HTTP/1.1 404 Not Found\r\n\r\n") == "websocket upgrade refused: HTTP/1.1 404 Not Found");
}
