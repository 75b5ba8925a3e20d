// The decoders of wire_codec.hpp; the encoders are in wire_codec.cpp.
#include "core/wire_codec.hpp"

#include <utility>

#include "core/wire_properties.hpp"

namespace mqtk::detail::wire {
namespace {

std::string_view packet_name(PacketType type) noexcept {
  switch (type) {
    case PacketType::connack: return "CONNACK";
    case PacketType::publish: return "PUBLISH";
    case PacketType::puback: return "PUBACK";
    case PacketType::pubrec: return "PUBREC";
    case PacketType::pubrel: return "PUBREL";
    case PacketType::pubcomp: return "PUBCOMP";
    case PacketType::suback: return "SUBACK";
    case PacketType::unsuback: return "UNSUBACK";
    case PacketType::disconnect: return "DISCONNECT";
    default: return "a packet a client does not decode";
  }
}

void expect_type(const PacketView& packet, PacketType type) {
  if (packet.type != type)
    throw CodecError("expected " + std::string(packet_name(type)) + ", got packet type " +
                         std::to_string(static_cast<int>(packet.type)),
                     reason_protocol_error);
}

// The low nibble of the first byte is fixed for every packet but PUBLISH (MQTT 5 2.1.3).
void expect_flags(const PacketView& packet, std::uint8_t flags) {
  if (packet.flags != flags)
    throw CodecError(std::string(packet_name(packet.type)) + " with reserved flag bits " +
                     std::to_string(packet.flags) + " (must be " + std::to_string(flags) + ")");
}

std::uint16_t read_packet_id(BodyReader& body, PacketType type) {
  const std::uint16_t packet_id = body.u16();
  if (packet_id == 0)
    throw CodecError(std::string(packet_name(type)) + " with packet identifier 0", reason_protocol_error);
  return packet_id;
}

std::vector<std::uint8_t> read_reason_codes(BodyReader& body, PacketType type) {
  const std::string_view codes = body.remainder();
  if (codes.empty())
    throw CodecError(std::string(packet_name(type)) + " without a reason code", reason_protocol_error);
  return {codes.begin(), codes.end()};
}

}  // namespace

Connack decode_connack(const PacketView& packet, ProtocolVersion version) {
  expect_type(packet, PacketType::connack);
  expect_flags(packet, 0);
  BodyReader body(packet.body);
  const std::uint8_t acknowledge_flags = body.u8();
  if ((acknowledge_flags & 0xFE) != 0) throw CodecError("CONNACK with reserved acknowledge flag bits set");
  Connack connack;
  connack.session_present = (acknowledge_flags & 0x01) != 0;
  connack.connect_result.session_present = connack.session_present;
  connack.reason_code = body.u8();
  // Some v5 brokers leave the property length out of a refusal; absent reads as none.
  if (version == ProtocolVersion::v5 && !body.empty())
    read_connack_properties(take_property_block(body), connack.connect_result);
  body.expect_end("CONNACK");
  return connack;
}

PublishView view_publish(const PacketView& packet, ProtocolVersion version) {
  expect_type(packet, PacketType::publish);
  PublishView view;
  view.qos = (packet.flags >> 1) & 0x03;
  if (view.qos == 3) throw CodecError("PUBLISH with QoS 3");
  view.duplicate = (packet.flags & 0x08) != 0;
  view.retain = (packet.flags & 0x01) != 0;
  BodyReader body(packet.body);
  view.topic = body.string();
  if (view.topic.empty() && version != ProtocolVersion::v5)
    throw CodecError("PUBLISH with an empty topic", reason_protocol_error);
  if (view.qos > 0) view.packet_id = read_packet_id(body, PacketType::publish);
  if (version == ProtocolVersion::v5) view.properties = take_property_block(body);
  view.payload = body.remainder();
  return view;
}

ReceivedPublish decode_publish(const PacketView& packet, ProtocolVersion version) {
  const PublishView view = view_publish(packet, version);
  ReceivedPublish received;
  received.packet_id = view.packet_id;
  Message& message = received.message;
  message.topic.assign(view.topic);
  message.payload.assign(view.payload);
  message.qos = view.qos;
  message.retain = view.retain;
  message.duplicate = view.duplicate;
  if (!view.properties.empty()) read_publish_properties(view.properties, message.properties);
  return received;
}

PublishAck decode_publish_ack(const PacketView& packet, ProtocolVersion version) {
  switch (packet.type) {
    case PacketType::puback: case PacketType::pubrec: case PacketType::pubcomp:
      expect_flags(packet, 0);
      break;
    case PacketType::pubrel: expect_flags(packet, 0x02); break;
    default: expect_type(packet, PacketType::puback);
  }
  BodyReader body(packet.body);
  PublishAck ack;
  ack.packet_id = read_packet_id(body, packet.type);
  if (version == ProtocolVersion::v5 && !body.empty()) {
    ack.reason_code = body.u8();
    if (!body.empty())
      ack.reason_string =
          read_reason_properties(take_property_block(body), packet_name(packet.type), false).reason_string;
  }
  body.expect_end(packet_name(packet.type));
  return ack;
}

Suback decode_suback(const PacketView& packet, ProtocolVersion version) {
  expect_type(packet, PacketType::suback);
  expect_flags(packet, 0);
  BodyReader body(packet.body);
  Suback suback;
  suback.packet_id = read_packet_id(body, PacketType::suback);
  if (version == ProtocolVersion::v5)
    suback.reason_string = read_reason_properties(take_property_block(body), "SUBACK", false).reason_string;
  suback.reason_codes = read_reason_codes(body, PacketType::suback);
  return suback;
}

Unsuback decode_unsuback(const PacketView& packet, ProtocolVersion version) {
  expect_type(packet, PacketType::unsuback);
  expect_flags(packet, 0);
  BodyReader body(packet.body);
  Unsuback unsuback;
  unsuback.packet_id = read_packet_id(body, PacketType::unsuback);
  if (version == ProtocolVersion::v5) {
    unsuback.reason_string =
        read_reason_properties(take_property_block(body), "UNSUBACK", false).reason_string;
    unsuback.reason_codes = read_reason_codes(body, PacketType::unsuback);
  }
  body.expect_end("UNSUBACK");
  return unsuback;
}

Disconnect decode_disconnect(const PacketView& packet) {
  expect_type(packet, PacketType::disconnect);
  expect_flags(packet, 0);
  BodyReader body(packet.body);
  Disconnect disconnect;
  if (body.empty()) return disconnect;
  disconnect.reason_code = body.u8();
  if (!body.empty()) {
    ReasonProperties properties = read_reason_properties(take_property_block(body), "DISCONNECT", true);
    disconnect.reason_string = std::move(properties.reason_string);
    disconnect.server_reference = std::move(properties.server_reference);
  }
  body.expect_end("DISCONNECT");
  return disconnect;
}

}  // namespace mqtk::detail::wire
