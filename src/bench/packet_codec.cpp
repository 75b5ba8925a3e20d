#include "bench/packet_codec.hpp"

namespace mqtk::bench {
namespace {

std::size_t varint_size(std::size_t value) noexcept {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

void put_varint(std::string& out, std::size_t value) {
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

void put_string(std::string& out, std::string_view text) {
  put_u16(out, static_cast<std::uint16_t>(text.size()));
  out.append(text);
}

void put_header(std::string& out, std::uint8_t first_byte, std::size_t remaining) {
  out.push_back(static_cast<char>(first_byte));
  put_varint(out, remaining);
}

// Reads the body of a packet front to back; every read checks the bounds.
class BodyReader {
 public:
  explicit BodyReader(std::string_view body) : rest_(body) {}
  bool empty() const noexcept { return rest_.empty(); }
  std::size_t size() const noexcept { return rest_.size(); }
  std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)[0]); }
  std::uint16_t u16() {
    const std::string_view b = take(2);
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(b[0]) << 8) | static_cast<std::uint8_t>(b[1]));
  }
  std::uint32_t u32() {
    const std::uint32_t high = u16();
    return (high << 16) | u16();
  }
  std::size_t varint() {
    std::size_t value = 0;
    for (int i = 0, shift = 0; i < 4; ++i, shift += 7) {
      const std::uint8_t byte = u8();
      value |= static_cast<std::size_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    throw CodecError("malformed variable byte integer");
  }
  std::string_view string() { return take(u16()); }
  std::string_view take(std::size_t n) {
    if (n > rest_.size()) throw CodecError("packet shorter than its fields");
    const std::string_view part = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return part;
  }
  std::string_view remainder() { return take(rest_.size()); }

 private:
  std::string_view rest_;
};

void skip_property(BodyReader& reader, std::uint8_t id) {
  switch (id) {
    case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2A:
      reader.u8();
      return;
    case 0x13: case 0x21: case 0x22: case 0x23:
      reader.u16();
      return;
    case 0x02: case 0x11: case 0x18: case 0x27:
      reader.u32();
      return;
    case 0x0B:
      reader.varint();
      return;
    case 0x03: case 0x08: case 0x09: case 0x12: case 0x15: case 0x16: case 0x1A: case 0x1C:
    case 0x1F:
      reader.string();
      return;
    case 0x26:
      reader.string();
      reader.string();
      return;
    default:
      throw CodecError("unknown property identifier " + std::to_string(id));
  }
}

// The CONNACK properties a client acts on; the rest are skipped by their wire type.
void read_connack_properties(BodyReader& reader, Connack& connack) {
  const std::size_t length = reader.varint();
  BodyReader properties(reader.take(length));
  while (!properties.empty()) {
    const std::uint8_t id = properties.u8();
    switch (id) {
      case 0x21: connack.receive_maximum = properties.u16(); break;
      case 0x13: connack.server_keepalive_s = properties.u16(); break;
      case 0x27: connack.maximum_packet_size = properties.u32(); break;
      case 0x24: connack.maximum_qos = properties.u8(); break;
      case 0x25: connack.retain_available = properties.u8() != 0; break;
      case 0x22: connack.topic_alias_maximum = properties.u16(); break;
      case 0x12: connack.assigned_client_id = std::string(properties.string()); break;
      default: skip_property(properties, id); break;
    }
  }
}

}  // namespace

void append_connect(std::string& out, const ConnectFields& f) {
  const bool v5 = f.version == MqttVersion::v5;
  const std::string_view protocol = f.version == MqttVersion::v31 ? "MQIsdp" : "MQTT";
  std::size_t properties = 0;
  if (v5) {
    if (f.session_expiry_s) properties += 5;
    if (f.receive_maximum) properties += 3;
  }
  std::size_t remaining = 2 + protocol.size() + 1 + 1 + 2 + 2 + f.client_id.size();
  if (v5) remaining += varint_size(properties) + properties;
  if (f.username) remaining += 2 + f.username->size();
  if (f.password) remaining += 2 + f.password->size();

  put_header(out, 0x10, remaining);
  put_string(out, protocol);
  out.push_back(static_cast<char>(f.version));
  std::uint8_t flags = f.clean_start ? 0x02 : 0x00;
  if (f.username) flags |= 0x80;
  if (f.password) flags |= 0x40;
  out.push_back(static_cast<char>(flags));
  put_u16(out, f.keepalive_s);
  if (v5) {
    put_varint(out, properties);
    if (f.session_expiry_s) {
      out.push_back(0x11);
      put_u32(out, *f.session_expiry_s);
    }
    if (f.receive_maximum) {
      out.push_back(0x21);
      put_u16(out, *f.receive_maximum);
    }
  }
  put_string(out, f.client_id);
  if (f.username) put_string(out, *f.username);
  if (f.password) put_string(out, *f.password);
}

void append_publish(std::string& out, MqttVersion version, std::string_view topic,
                    std::string_view payload, int qos, std::uint16_t packet_id, bool dup,
                    bool retain) {
  const bool v5 = version == MqttVersion::v5;
  const std::size_t remaining = 2 + topic.size() + (qos > 0 ? 2 : 0) + (v5 ? 1 : 0) + payload.size();
  std::uint8_t first = static_cast<std::uint8_t>(0x30 | (qos << 1));
  if (dup) first |= 0x08;
  if (retain) first |= 0x01;
  put_header(out, first, remaining);
  put_string(out, topic);
  if (qos > 0) put_u16(out, packet_id);
  if (v5) out.push_back(0);
  out.append(payload);
}

void append_ack(std::string& out, PacketType type, std::uint16_t packet_id) {
  const auto first = static_cast<std::uint8_t>(static_cast<std::uint8_t>(type) << 4);
  // PUBREL's reserved flags are 0010 (MQTT 3.1.1 section 3.6.1).
  put_header(out, type == PacketType::pubrel ? first | 0x02 : first, 2);
  put_u16(out, packet_id);
}

void append_subscribe(std::string& out, MqttVersion version, std::uint16_t packet_id,
                      std::string_view filter, int qos) {
  const bool v5 = version == MqttVersion::v5;
  put_header(out, 0x82, 2 + (v5 ? 1 : 0) + 2 + filter.size() + 1);
  put_u16(out, packet_id);
  if (v5) out.push_back(0);
  put_string(out, filter);
  out.push_back(static_cast<char>(qos));
}

void append_pingreq(std::string& out) { out.append("\xc0\x00", 2); }

void append_disconnect(std::string& out) { out.append("\xe0\x00", 2); }

std::optional<FramedPacket> next_packet(std::string_view buffer, std::size_t max_size) {
  if (buffer.size() < 2) return std::nullopt;
  std::size_t remaining = 0;
  std::size_t header = 1;
  for (int shift = 0;; shift += 7) {
    if (header >= buffer.size()) return std::nullopt;
    if (header > 4) throw CodecError("malformed remaining length");
    const auto byte = static_cast<std::uint8_t>(buffer[header++]);
    remaining |= static_cast<std::size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (remaining + header > max_size) throw CodecError("packet larger than the maximum size");
  if (buffer.size() < header + remaining) return std::nullopt;
  const auto first = static_cast<std::uint8_t>(buffer[0]);
  const auto type = static_cast<PacketType>(first >> 4);
  if (first >> 4 == 0) throw CodecError("packet type 0 is reserved");
  return FramedPacket{{type, static_cast<std::uint8_t>(first & 0x0f), buffer.substr(header, remaining)},
                      header + remaining};
}

Connack parse_connack(const PacketView& packet, MqttVersion version) {
  BodyReader reader(packet.body);
  Connack connack;
  connack.session_present = (reader.u8() & 0x01) != 0;
  connack.reason_code = reader.u8();
  if (version == MqttVersion::v5 && !reader.empty()) read_connack_properties(reader, connack);
  return connack;
}

IncomingPublish parse_publish(const PacketView& packet, MqttVersion version) {
  BodyReader reader(packet.body);
  IncomingPublish publish;
  publish.qos = (packet.flags >> 1) & 0x03;
  if (publish.qos == 3) throw CodecError("PUBLISH with QoS 3");
  publish.dup = (packet.flags & 0x08) != 0;
  publish.retain = (packet.flags & 0x01) != 0;
  publish.topic = reader.string();
  if (publish.qos > 0) publish.packet_id = reader.u16();
  if (version == MqttVersion::v5) reader.take(reader.varint());
  publish.payload = reader.remainder();
  return publish;
}

Ack parse_ack(const PacketView& packet, MqttVersion version) {
  BodyReader reader(packet.body);
  Ack ack;
  ack.packet_id = reader.u16();
  if (version == MqttVersion::v5 && !reader.empty()) ack.reason_code = reader.u8();
  return ack;
}

Suback parse_suback(const PacketView& packet, MqttVersion version) {
  BodyReader reader(packet.body);
  Suback suback;
  suback.packet_id = reader.u16();
  if (version == MqttVersion::v5) reader.take(reader.varint());
  suback.first_code = reader.u8();
  return suback;
}

std::uint8_t parse_disconnect_reason(const PacketView& packet) {
  return packet.body.empty() ? 0 : static_cast<std::uint8_t>(packet.body[0]);
}

}  // namespace mqtk::bench
