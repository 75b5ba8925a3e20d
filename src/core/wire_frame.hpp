#pragma once
// Internal to the core: what every MQTT packet shares on the wire (fixed header, variable byte
// integers, big-endian integers, length-prefixed strings), a bounds-checked reader of a packet
// body and the framing of a byte stream into packets. The packet codec (wire_codec.hpp) and the
// bench load engine (src/bench/packet_codec.hpp) build on it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <mqtk/error.hpp>

namespace mqtk::detail::wire {

enum class PacketType : std::uint8_t {
  connect = 1, connack = 2, publish = 3, puback = 4, pubrec = 5, pubrel = 6, pubcomp = 7,
  subscribe = 8, suback = 9, unsubscribe = 10, unsuback = 11, pingreq = 12, pingresp = 13,
  disconnect = 14, auth = 15,
};

// The largest value a variable byte integer holds, so the largest remaining length (MQTT 5 1.5.5).
inline constexpr std::size_t max_varint = 268'435'455;
inline constexpr std::size_t max_string_length = 65'535;

// The v5 reason codes a client DISCONNECTs with when a packet breaks the rules.
inline constexpr std::uint8_t reason_malformed_packet = 0x81;
inline constexpr std::uint8_t reason_protocol_error = 0x82;
inline constexpr std::uint8_t reason_packet_too_large = 0x95;

// A packet that cannot be encoded, or a received one that is malformed. reason_code() is the v5
// reason to DISCONNECT with, so the engine need not classify the failure again.
class CodecError : public ProtocolError {
 public:
  explicit CodecError(const std::string& message, std::uint8_t reason = reason_malformed_packet)
      : ProtocolError(message, reason) {}
};

constexpr std::size_t varint_size(std::size_t value) noexcept {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

// Each put_* appends to `out`; put_varint throws above max_varint, put_string above
// max_string_length (the same 2-byte length prefix serves UTF-8 strings and binary data).
void put_varint(std::string& out, std::size_t value);
void put_u16(std::string& out, std::uint16_t value);
void put_u32(std::string& out, std::uint32_t value);
void put_string(std::string& out, std::string_view text);
void check_string_length(std::string_view text);

struct Varint {
  std::uint32_t value;
  std::size_t size;  // bytes it took
};

// The variable byte integer at the start of `bytes`; nullopt when `bytes` ends inside it.
// Throws CodecError for a fifth byte or a longer encoding than the value needs.
inline std::optional<Varint> read_varint(std::string_view bytes) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i == bytes.size()) return std::nullopt;
    const auto byte = static_cast<std::uint8_t>(bytes[i]);
    value |= static_cast<std::uint32_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) throw CodecError("variable byte integer not in its shortest form");
      return Varint{value, i + 1};
    }
  }
  throw CodecError("malformed variable byte integer");
}

// Reads a packet body front to back; every read checks the bounds and throws CodecError past
// the end, so a truncated or lying packet is refused rather than read beyond.
class BodyReader {
 public:
  explicit BodyReader(std::string_view body) noexcept : rest_(body) {}
  bool empty() const noexcept { return rest_.empty(); }
  std::size_t size() const noexcept { return rest_.size(); }
  std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)[0]); }
  std::uint16_t u16() {
    const std::string_view b = take(2);
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(b[0]) << 8) |
                                      static_cast<std::uint8_t>(b[1]));
  }
  std::uint32_t u32() {
    const std::uint32_t high = u16();
    return (high << 16) | u16();
  }
  std::uint32_t varint() {
    const std::optional<Varint> parsed = read_varint(rest_);
    if (!parsed) throw CodecError("packet ends inside a variable byte integer");
    rest_.remove_prefix(parsed->size);
    return parsed->value;
  }
  std::string_view string() { return take(u16()); }
  std::string_view take(std::size_t n) {
    if (n > rest_.size()) throw CodecError("packet shorter than its fields");
    const std::string_view part = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return part;
  }
  std::string_view remainder() noexcept {
    const std::string_view part = rest_;
    rest_ = {};
    return part;
  }
  // Throws when bytes are left over after the last field of `packet_name`.
  void expect_end(std::string_view packet_name) const;

 private:
  std::string_view rest_;
};

// Where a packet body goes: SizeCounter measures it, BufferWriter writes it. An encoder written
// once over either (see append_packet) cannot disagree with the remaining length it announces.
class SizeCounter {
 public:
  void byte(std::uint8_t) noexcept { size_ += 1; }
  void u16(std::uint16_t) noexcept { size_ += 2; }
  void u32(std::uint32_t) noexcept { size_ += 4; }
  void varint(std::size_t value);
  void string(std::string_view text) {
    check_string_length(text);
    size_ += 2 + text.size();
  }
  void bytes(std::string_view raw) noexcept { size_ += raw.size(); }
  std::size_t size() const noexcept { return size_; }

 private:
  std::size_t size_ = 0;
};

class BufferWriter {
 public:
  explicit BufferWriter(std::string& out) noexcept : out_(out) {}
  void byte(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void u16(std::uint16_t value) { put_u16(out_, value); }
  void u32(std::uint32_t value) { put_u32(out_, value); }
  void varint(std::size_t value) { put_varint(out_, value); }
  void string(std::string_view text) { put_string(out_, text); }
  void bytes(std::string_view raw) { out_.append(raw); }

 private:
  std::string& out_;
};

// The remaining length of the body `write_body(sink)` writes; throws CodecError when it exceeds
// max_varint (or a field its own limit).
template <class WriteBody>
std::size_t body_size(const WriteBody& write_body) {
  SizeCounter counter;
  write_body(counter);
  if (counter.size() > max_varint)
    throw CodecError("packet larger than MQTT's 268,435,455-byte limit", reason_packet_too_large);
  return counter.size();
}

constexpr std::size_t packet_size(std::size_t remaining_length) noexcept {
  return 1 + varint_size(remaining_length) + remaining_length;
}

// Appends the fixed header and the body; everything is measured first, so a packet that cannot
// be encoded throws before `out` changes.
template <class WriteBody>
void append_packet(std::string& out, std::uint8_t first_byte, const WriteBody& write_body) {
  const std::size_t remaining = body_size(write_body);
  out.push_back(static_cast<char>(first_byte));
  put_varint(out, remaining);
  BufferWriter writer(out);
  write_body(writer);
}

// One complete packet inside a buffer: its type, the low nibble of the first byte, and the
// bytes after the fixed header.
struct PacketView {
  PacketType type;
  std::uint8_t flags;
  std::string_view body;
};

struct FramedPacket {
  PacketView packet;
  std::size_t size;  // fixed header included
};

// The packet at the start of `buffer` and its total size, nullopt while incomplete.
// Throws CodecError when the length field is malformed, the type is 0 or the packet exceeds
// `max_size`.
std::optional<FramedPacket> next_packet(std::string_view buffer,
                                        std::size_t max_size = packet_size(max_varint));

}  // namespace mqtk::detail::wire
