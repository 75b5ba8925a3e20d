#include "core/wire_frame.hpp"

namespace mqtk::detail::wire {

void put_varint(std::string& out, std::size_t value) {
  if (value > max_varint) throw CodecError("value too large for a variable byte integer");
  do {
    auto byte = static_cast<char>(value % 128);
    value /= 128;
    if (value > 0) byte = static_cast<char>(byte | 0x80);
    out.push_back(byte);
  } while (value > 0);
}

void put_u16(std::string& out, std::uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

void check_string_length(std::string_view text) {
  if (text.size() > max_string_length)
    throw CodecError("string of " + std::to_string(text.size()) +
                     " bytes exceeds MQTT's 65,535-byte limit");
}

void put_string(std::string& out, std::string_view text) {
  check_string_length(text);
  put_u16(out, static_cast<std::uint16_t>(text.size()));
  out.append(text);
}

void BodyReader::expect_end(std::string_view packet_name) const {
  if (!rest_.empty())
    throw CodecError(std::string(packet_name) + " has " + std::to_string(rest_.size()) +
                     " bytes after its last field");
}

void SizeCounter::varint(std::size_t value) {
  if (value > max_varint) throw CodecError("value too large for a variable byte integer");
  size_ += varint_size(value);
}

std::optional<FramedPacket> next_packet(std::string_view buffer, std::size_t max_size) {
  if (buffer.empty()) return std::nullopt;
  const std::optional<Varint> remaining = read_varint(buffer.substr(1));
  if (!remaining) return std::nullopt;
  const std::size_t size = 1 + remaining->size + remaining->value;
  if (size > max_size)
    throw CodecError("packet larger than the maximum size", reason_packet_too_large);
  const auto first = static_cast<std::uint8_t>(buffer[0]);
  if (first >> 4 == 0) throw CodecError("packet type 0 is reserved");
  if (buffer.size() < size) return std::nullopt;
  return FramedPacket{{static_cast<PacketType>(first >> 4), static_cast<std::uint8_t>(first & 0x0f),
                       buffer.substr(1 + remaining->size, remaining->value)},
                      size};
}

}  // namespace mqtk::detail::wire
