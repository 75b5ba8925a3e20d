#include "bench/packet_codec.hpp"

#include <span>

#include <mqtk/client_options.hpp>

#include "core/wire_codec.hpp"

namespace mqtk::bench {
namespace wire = detail::wire;
namespace {

ProtocolVersion protocol_version(MqttVersion version) noexcept {
  switch (version) {
    case MqttVersion::v31: return ProtocolVersion::v31;
    case MqttVersion::v311: return ProtocolVersion::v311;
    case MqttVersion::v5: return ProtocolVersion::v5;
  }
  return ProtocolVersion::v311;
}

}  // namespace

void append_connect(std::string& out, const ConnectFields& fields) {
  ClientOptions options;
  options.version = protocol_version(fields.version);
  if (fields.username) options.username = std::string(*fields.username);
  if (fields.password) options.password = std::string(*fields.password);
  options.keepalive_s = fields.keepalive_s;
  options.clean_session = fields.clean_start;
  options.session_expiry_s = fields.session_expiry_s;
  // Unset means 0 here, the session ending with the connection; ClientOptions would make a
  // persistent session without an expiry last forever, which a load test must not leave behind.
  if (!fields.clean_start && !fields.session_expiry_s) options.session_expiry_s = 0;
  options.connect_properties.receive_maximum = fields.receive_maximum;
  wire::append_connect(out, options, fields.client_id);
}

void append_publish(std::string& out, MqttVersion version, std::string_view topic,
                    std::string_view payload, int qos, std::uint16_t packet_id, bool dup,
                    bool retain) {
  const wire::OutgoingPublish publish{topic, payload, qos, retain, dup, packet_id};
  wire::append_publish(out, publish, protocol_version(version));
}

void append_ack(std::string& out, PacketType type, std::uint16_t packet_id) {
  wire::append_publish_ack(out, type, packet_id, ProtocolVersion::v311);
}

void append_subscribe(std::string& out, MqttVersion version, std::uint16_t packet_id,
                      std::string_view filter, int qos) {
  const Subscription subscription{std::string(filter), {qos}};
  wire::append_subscribe(out, protocol_version(version), packet_id, std::span(&subscription, 1));
}

void append_pingreq(std::string& out) { wire::append_pingreq(out); }

void append_disconnect(std::string& out) { wire::append_disconnect(out, ProtocolVersion::v311); }

Connack parse_connack(const PacketView& packet, MqttVersion version) {
  const wire::Connack decoded = wire::decode_connack(packet, protocol_version(version));
  const ConnectResult& result = decoded.connect_result;
  Connack connack;
  connack.session_present = decoded.session_present;
  connack.reason_code = decoded.reason_code;
  connack.receive_maximum = result.receive_maximum;
  connack.server_keepalive_s = result.server_keep_alive;
  connack.maximum_packet_size = result.maximum_packet_size;
  if (result.maximum_qos) connack.maximum_qos = static_cast<std::uint8_t>(*result.maximum_qos);
  connack.retain_available = result.retain_available;
  connack.topic_alias_maximum = result.topic_alias_maximum;
  connack.assigned_client_id = result.assigned_client_id;
  return connack;
}

IncomingPublish parse_publish(const PacketView& packet, MqttVersion version) {
  const wire::PublishView view = wire::view_publish(packet, protocol_version(version));
  return {view.topic, view.payload, view.qos, view.packet_id, view.duplicate, view.retain};
}

Ack parse_ack(const PacketView& packet, MqttVersion version) {
  const wire::PublishAck ack = wire::decode_publish_ack(packet, protocol_version(version));
  return {ack.packet_id, ack.reason_code};
}

Suback parse_suback(const PacketView& packet, MqttVersion version) {
  const wire::Suback suback = wire::decode_suback(packet, protocol_version(version));
  return {suback.packet_id, suback.reason_codes.front()};
}

std::uint8_t parse_disconnect_reason(const PacketView& packet) {
  return wire::decode_disconnect(packet).reason_code;
}

}  // namespace mqtk::bench
