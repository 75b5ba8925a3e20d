#pragma once
// Shared by the wire codec tests (wire_frame_test, wire_codec_test, wire_decode_test): packets
// written as the hex the spec's tables use, and the one packet such bytes frame.

#include <doctest/doctest.h>

#include <cctype>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/wire_frame.hpp"

namespace mqtk::detail::wire {

// "10 0c 00 04" -> the four bytes; spaces are for the reader.
inline std::string from_hex(std::string_view hex) {
  std::string bytes;
  int high = -1;
  for (const char c : hex) {
    if (c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      throw std::invalid_argument("not a hex digit: " + std::string(1, c));
    const int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (high < 0) {
      high = digit;
    } else {
      bytes.push_back(static_cast<char>(high * 16 + digit));
      high = -1;
    }
  }
  if (high >= 0) throw std::invalid_argument("odd number of hex digits");
  return bytes;
}

// The packet `bytes` hold, which must be exactly one whole packet.
inline PacketView only_packet(std::string_view bytes) {
  const std::optional<FramedPacket> framed = next_packet(bytes);
  REQUIRE(framed);
  REQUIRE(framed->size == bytes.size());
  return framed->packet;
}

}  // namespace mqtk::detail::wire
