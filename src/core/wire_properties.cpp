#include "core/wire_properties.hpp"

#include <cstdio>

namespace mqtk::detail::wire {
namespace {

constexpr std::uint64_t bit(PropertyId id) noexcept {
  return std::uint64_t{1} << static_cast<std::uint8_t>(id);
}

constexpr std::uint64_t defined_properties =
    bit(PropertyId::payload_format_indicator) | bit(PropertyId::message_expiry_interval) |
    bit(PropertyId::content_type) | bit(PropertyId::response_topic) |
    bit(PropertyId::correlation_data) | bit(PropertyId::subscription_identifier) |
    bit(PropertyId::session_expiry_interval) | bit(PropertyId::assigned_client_identifier) |
    bit(PropertyId::server_keep_alive) | bit(PropertyId::authentication_method) |
    bit(PropertyId::authentication_data) | bit(PropertyId::request_problem_information) |
    bit(PropertyId::will_delay_interval) | bit(PropertyId::request_response_information) |
    bit(PropertyId::response_information) | bit(PropertyId::server_reference) |
    bit(PropertyId::reason_string) | bit(PropertyId::receive_maximum) |
    bit(PropertyId::topic_alias_maximum) | bit(PropertyId::topic_alias) |
    bit(PropertyId::maximum_qos) | bit(PropertyId::retain_available) |
    bit(PropertyId::user_property) | bit(PropertyId::maximum_packet_size) |
    bit(PropertyId::wildcard_subscription_available) |
    bit(PropertyId::subscription_identifier_available) |
    bit(PropertyId::shared_subscription_available);

// MQTT 5 lets these two repeat; every other property appears at most once (section 2.2.2.2).
constexpr std::uint64_t repeatable_properties =
    bit(PropertyId::user_property) | bit(PropertyId::subscription_identifier);

std::string hex(std::uint8_t value) {
  char text[5];
  std::snprintf(text, sizeof text, "0x%02X", value);
  return text;
}

}  // namespace

PropertyId PropertyReader::next() {
  const std::uint8_t id = block_.u8();
  const std::uint64_t mask = id < 64 ? std::uint64_t{1} << id : 0;
  if ((mask & defined_properties) == 0) throw CodecError("unknown property identifier " + hex(id));
  if ((mask & repeatable_properties) == 0) {
    if ((seen_ & mask) != 0)
      throw CodecError("property " + hex(id) + " appears more than once", reason_protocol_error);
    seen_ |= mask;
  }
  return static_cast<PropertyId>(id);
}

bool PropertyReader::flag() {
  const std::uint8_t value = block_.u8();
  if (value > 1) throw CodecError("property value " + hex(value) + " where 0 or 1 is allowed",
                                  reason_protocol_error);
  return value == 1;
}

std::uint16_t PropertyReader::nonzero_u16(PropertyId id) {
  const std::uint16_t value = block_.u16();
  if (value == 0)
    throw CodecError("property " + hex(static_cast<std::uint8_t>(id)) + " may not be 0",
                     reason_protocol_error);
  return value;
}

std::pair<std::string, std::string> PropertyReader::string_pair() {
  const std::string_view key = block_.string();
  return {std::string(key), std::string(block_.string())};
}

void PropertyReader::reject(PropertyId id, std::string_view packet_name) {
  throw CodecError("property " + hex(static_cast<std::uint8_t>(id)) + " is not allowed in " +
                       std::string(packet_name),
                   reason_protocol_error);
}

void read_publish_properties(std::string_view block, MessageProperties& properties) {
  PropertyReader reader(block);
  while (!reader.done()) {
    switch (const PropertyId id = reader.next()) {
      case PropertyId::payload_format_indicator: properties.payload_format_indicator = reader.flag(); break;
      case PropertyId::message_expiry_interval: properties.message_expiry_interval = reader.u32(); break;
      case PropertyId::content_type: properties.content_type = reader.string(); break;
      case PropertyId::response_topic: properties.response_topic = reader.string(); break;
      case PropertyId::correlation_data: properties.correlation_data = reader.string(); break;
      case PropertyId::topic_alias: properties.topic_alias = reader.nonzero_u16(id); break;
      case PropertyId::user_property: properties.user_properties.push_back(reader.string_pair()); break;
      case PropertyId::subscription_identifier: {
        const std::uint32_t identifier = reader.varint();
        if (identifier == 0) throw CodecError("subscription identifier 0", reason_protocol_error);
        properties.subscription_identifiers.push_back(identifier);
        break;
      }
      default: PropertyReader::reject(id, "PUBLISH");
    }
  }
}

void read_connack_properties(std::string_view block, ConnectResult& result) {
  PropertyReader reader(block);
  while (!reader.done()) {
    switch (const PropertyId id = reader.next()) {
      case PropertyId::session_expiry_interval: result.session_expiry_interval = reader.u32(); break;
      case PropertyId::receive_maximum: result.receive_maximum = reader.nonzero_u16(id); break;
      case PropertyId::maximum_qos: result.maximum_qos = reader.flag() ? 1 : 0; break;
      case PropertyId::retain_available: result.retain_available = reader.flag(); break;
      case PropertyId::maximum_packet_size:
        result.maximum_packet_size = reader.u32();
        if (*result.maximum_packet_size == 0)
          throw CodecError("maximum packet size 0", reason_protocol_error);
        break;
      case PropertyId::assigned_client_identifier: result.assigned_client_id = reader.string(); break;
      case PropertyId::topic_alias_maximum: result.topic_alias_maximum = reader.u16(); break;
      case PropertyId::reason_string: result.reason_string = reader.string(); break;
      case PropertyId::user_property: result.user_properties.push_back(reader.string_pair()); break;
      case PropertyId::wildcard_subscription_available:
        result.wildcard_subscription_available = reader.flag();
        break;
      case PropertyId::subscription_identifier_available:
        result.subscription_identifiers_available = reader.flag();
        break;
      case PropertyId::shared_subscription_available:
        result.shared_subscription_available = reader.flag();
        break;
      case PropertyId::server_keep_alive: result.server_keep_alive = reader.u16(); break;
      case PropertyId::response_information: result.response_information = reader.string(); break;
      case PropertyId::server_reference: result.server_reference = reader.string(); break;
      // Valid in CONNACK but only answers an authentication method, which mqtk never sends.
      case PropertyId::authentication_method:
      case PropertyId::authentication_data: reader.skip_string(); break;
      default: PropertyReader::reject(id, "CONNACK");
    }
  }
}

ReasonProperties read_reason_properties(std::string_view block, std::string_view packet_name,
                                        bool server_reference_allowed) {
  ReasonProperties properties;
  PropertyReader reader(block);
  while (!reader.done()) {
    switch (const PropertyId id = reader.next()) {
      case PropertyId::reason_string: properties.reason_string = reader.string(); break;
      case PropertyId::user_property:
        reader.skip_string();
        reader.skip_string();
        break;
      case PropertyId::server_reference:
        if (!server_reference_allowed) PropertyReader::reject(id, packet_name);
        properties.server_reference = reader.string();
        break;
      default: PropertyReader::reject(id, packet_name);
    }
  }
  return properties;
}

}  // namespace mqtk::detail::wire
