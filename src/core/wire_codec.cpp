// The encoders of wire_codec.hpp; the decoders are in wire_decode.cpp.
#include "core/wire_codec.hpp"

#include "core/wire_properties.hpp"

namespace mqtk::detail::wire {
namespace {

std::uint8_t protocol_level(ProtocolVersion version) noexcept {
  switch (version) {
    case ProtocolVersion::v31: return 3;
    case ProtocolVersion::v311: return 4;
    case ProtocolVersion::v5: return 5;
  }
  return 4;
}

void check_qos(int qos, std::string_view what) {
  if (qos < 0 || qos > 2)
    throw CodecError(std::string(what) + " QoS " + std::to_string(qos) + " is not 0, 1 or 2");
}

void check_packet_id(std::uint16_t packet_id, std::string_view packet_name) {
  if (packet_id == 0) throw CodecError(std::string(packet_name) + " needs a non-zero packet identifier");
}

std::uint8_t connect_flags(const ClientOptions& options) {
  std::uint8_t flags = options.clean_session ? 0x02 : 0x00;
  if (options.will) {
    check_qos(options.will->qos, "will");
    if (options.will->topic.empty()) throw CodecError("the will topic is empty");
    flags |= static_cast<std::uint8_t>(0x04 | (options.will->qos << 3));
    if (options.will->retain) flags |= 0x20;
  }
  if (options.password) {
    // MQTT 3.1.1 section 3.1.2.9; MQTT 5 dropped the rule.
    if (!options.username && options.version != ProtocolVersion::v5)
      throw CodecError("a password without a username needs MQTT 5");
    flags |= 0x40;
  }
  if (options.username) flags |= 0x80;
  return flags;
}

template <class Sink>
void put_connect_properties(Sink& sink, const ClientOptions& options) {
  const ConnectProperties& properties = options.connect_properties;
  if (const std::optional<std::uint32_t> expiry = options.effective_session_expiry())
    put_u32_property(sink, PropertyId::session_expiry_interval, *expiry);
  if (properties.receive_maximum) {
    if (*properties.receive_maximum == 0) throw CodecError("receive maximum 0 is not allowed");
    put_u16_property(sink, PropertyId::receive_maximum, *properties.receive_maximum);
  }
  if (properties.maximum_packet_size) {
    if (*properties.maximum_packet_size == 0) throw CodecError("maximum packet size 0 is not allowed");
    put_u32_property(sink, PropertyId::maximum_packet_size, *properties.maximum_packet_size);
  }
  if (properties.topic_alias_maximum)
    put_u16_property(sink, PropertyId::topic_alias_maximum, *properties.topic_alias_maximum);
  if (properties.request_response_information)
    put_byte_property(sink, PropertyId::request_response_information,
                      *properties.request_response_information ? 1 : 0);
  if (properties.request_problem_information)
    put_byte_property(sink, PropertyId::request_problem_information,
                      *properties.request_problem_information ? 1 : 0);
  put_user_properties(sink, properties.user_properties);
}

template <class Sink>
void put_will(Sink& sink, const Will& will, ProtocolVersion version) {
  if (version == ProtocolVersion::v5) {
    put_property_block(sink, [&](auto& block) {
      if (will.delay_interval)
        put_u32_property(block, PropertyId::will_delay_interval, *will.delay_interval);
      put_message_properties(block, will.properties);
    });
  }
  sink.string(will.topic);
  sink.string(will.payload);
}

void check_publish(const OutgoingPublish& publish, ProtocolVersion version) {
  check_qos(publish.qos, "PUBLISH");
  if (publish.qos == 0 && publish.dup) throw CodecError("DUP set on a QoS 0 PUBLISH");
  if (publish.qos > 0) check_packet_id(publish.packet_id, "PUBLISH at QoS 1 or 2");
  const bool v5 = version == ProtocolVersion::v5;
  const std::optional<std::uint16_t> alias =
      v5 && publish.properties ? publish.properties->topic_alias : std::nullopt;
  if (alias == 0) throw CodecError("topic alias 0 is not allowed");
  if (publish.topic.empty() && !alias) throw CodecError("PUBLISH with an empty topic");
}

std::uint8_t publish_first_byte(const OutgoingPublish& publish) noexcept {
  auto first = static_cast<std::uint8_t>(0x30 | (publish.qos << 1));
  if (publish.dup) first |= 0x08;
  if (publish.retain) first |= 0x01;
  return first;
}

template <class Sink>
void put_publish_body(Sink& sink, const OutgoingPublish& publish, ProtocolVersion version) {
  sink.string(publish.topic);
  if (publish.qos > 0) sink.u16(publish.packet_id);
  if (version == ProtocolVersion::v5) {
    if (publish.properties == nullptr) {
      sink.byte(0);
    } else {
      put_property_block(sink, [&](auto& block) {
        if (publish.properties->topic_alias)
          put_u16_property(block, PropertyId::topic_alias, *publish.properties->topic_alias);
        put_message_properties(block, *publish.properties);
      });
    }
  }
  sink.bytes(publish.payload);
}

OutgoingPublish outgoing(const Message& message, std::uint16_t packet_id, bool dup) noexcept {
  return {message.topic, message.payload, message.qos, message.retain, dup, packet_id,
          message.properties.empty() ? nullptr : &message.properties};
}

std::uint8_t subscribe_options_byte(const SubscribeOptions& options, ProtocolVersion version) {
  check_qos(options.qos, "SUBSCRIBE");
  if (version != ProtocolVersion::v5) return static_cast<std::uint8_t>(options.qos);
  if (options.retain_handling < 0 || options.retain_handling > 2)
    throw CodecError("retain handling " + std::to_string(options.retain_handling) + " is not 0, 1 or 2");
  return static_cast<std::uint8_t>(options.qos | (options.no_local ? 0x04 : 0) |
                                   (options.retain_as_published ? 0x08 : 0) |
                                   (options.retain_handling << 4));
}

template <class Sink>
void put_subscribe_properties(Sink& sink, const SubscribeOptions& options) {
  if (options.subscription_identifier) {
    if (*options.subscription_identifier == 0) throw CodecError("subscription identifier 0 is not allowed");
    put_varint_property(sink, PropertyId::subscription_identifier, *options.subscription_identifier);
  }
  put_user_properties(sink, options.user_properties);
}

}  // namespace

void append_connect(std::string& out, const ClientOptions& options, std::string_view client_id) {
  const ProtocolVersion version = options.version;
  const std::uint8_t flags = connect_flags(options);
  append_packet(out, 0x10, [&](auto& sink) {
    sink.string(version == ProtocolVersion::v31 ? "MQIsdp" : "MQTT");
    sink.byte(protocol_level(version));
    sink.byte(flags);
    sink.u16(options.keepalive_s);
    if (version == ProtocolVersion::v5)
      put_property_block(sink, [&](auto& block) { put_connect_properties(block, options); });
    sink.string(client_id);
    if (options.will) put_will(sink, *options.will, version);
    if (options.username) sink.string(*options.username);
    if (options.password) sink.string(*options.password);
  });
}

void append_publish(std::string& out, const OutgoingPublish& publish, ProtocolVersion version) {
  check_publish(publish, version);
  append_packet(out, publish_first_byte(publish),
                [&](auto& sink) { put_publish_body(sink, publish, version); });
}

void append_publish(std::string& out, const Message& message, ProtocolVersion version,
                    std::uint16_t packet_id, bool dup) {
  append_publish(out, outgoing(message, packet_id, dup), version);
}

std::size_t publish_packet_size(const OutgoingPublish& publish, ProtocolVersion version) {
  check_publish(publish, version);
  return packet_size(body_size([&](auto& sink) { put_publish_body(sink, publish, version); }));
}

std::size_t publish_packet_size(const Message& message, ProtocolVersion version) {
  // Any non-zero id and DUP clear: neither changes the size.
  return publish_packet_size(outgoing(message, 1, false), version);
}

void append_subscribe(std::string& out, ProtocolVersion version, std::uint16_t packet_id,
                      std::span<const Subscription> subscriptions) {
  check_packet_id(packet_id, "SUBSCRIBE");
  if (subscriptions.empty()) throw CodecError("SUBSCRIBE needs at least one filter");
  append_packet(out, 0x82, [&](auto& sink) {
    sink.u16(packet_id);
    if (version == ProtocolVersion::v5) {
      put_property_block(sink, [&](auto& block) {
        put_subscribe_properties(block, subscriptions.front().options);
      });
    }
    for (const Subscription& subscription : subscriptions) {
      if (subscription.filter.empty()) throw CodecError("SUBSCRIBE with an empty filter");
      sink.string(subscription.filter);
      sink.byte(subscribe_options_byte(subscription.options, version));
    }
  });
}

void append_unsubscribe(std::string& out, ProtocolVersion version, std::uint16_t packet_id,
                        const std::vector<std::string>& filters) {
  check_packet_id(packet_id, "UNSUBSCRIBE");
  if (filters.empty()) throw CodecError("UNSUBSCRIBE needs at least one filter");
  append_packet(out, 0xA2, [&](auto& sink) {
    sink.u16(packet_id);
    if (version == ProtocolVersion::v5) sink.byte(0);  // no properties
    for (const std::string& filter : filters) {
      if (filter.empty()) throw CodecError("UNSUBSCRIBE with an empty filter");
      sink.string(filter);
    }
  });
}

void append_publish_ack(std::string& out, PacketType type, std::uint16_t packet_id,
                        ProtocolVersion version, std::uint8_t reason) {
  std::uint8_t first = static_cast<std::uint8_t>(static_cast<std::uint8_t>(type) << 4);
  switch (type) {
    case PacketType::puback: case PacketType::pubrec: case PacketType::pubcomp: break;
    // PUBREL's reserved flags are 0010 (MQTT 3.1.1 section 3.6.1).
    case PacketType::pubrel: first |= 0x02; break;
    default: throw CodecError("not a PUBLISH acknowledgement: packet type " +
                              std::to_string(static_cast<int>(type)));
  }
  check_packet_id(packet_id, "a PUBLISH acknowledgement");
  const bool with_reason = version == ProtocolVersion::v5 && reason != 0;
  append_packet(out, first, [&](auto& sink) {
    sink.u16(packet_id);
    // With a remaining length under 4 the property length is left out (MQTT 5 3.4.2.2.1).
    if (with_reason) sink.byte(reason);
  });
}

void append_pingreq(std::string& out) { out.append("\xc0\x00", 2); }

void append_disconnect(std::string& out, ProtocolVersion version, std::uint8_t reason) {
  if (version == ProtocolVersion::v5 && reason != 0) {
    out.append("\xe0\x01", 2);
    out.push_back(static_cast<char>(reason));
  } else {
    out.append("\xe0\x00", 2);
  }
}

}  // namespace mqtk::detail::wire
