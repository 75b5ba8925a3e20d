#pragma once
// Internal to the core: MQTT 5 property blocks (MQTT 5 section 2.2.2), written from and read into
// the library's public types. Writers are templates over wire_frame's SizeCounter/BufferWriter,
// so a block is measured and written by the same code.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <mqtk/client.hpp>
#include <mqtk/message.hpp>

#include "core/wire_frame.hpp"

namespace mqtk::detail::wire {

enum class PropertyId : std::uint8_t {
  payload_format_indicator = 0x01,
  message_expiry_interval = 0x02,
  content_type = 0x03,
  response_topic = 0x08,
  correlation_data = 0x09,
  subscription_identifier = 0x0B,
  session_expiry_interval = 0x11,
  assigned_client_identifier = 0x12,
  server_keep_alive = 0x13,
  authentication_method = 0x15,
  authentication_data = 0x16,
  request_problem_information = 0x17,
  will_delay_interval = 0x18,
  request_response_information = 0x19,
  response_information = 0x1A,
  server_reference = 0x1C,
  reason_string = 0x1F,
  receive_maximum = 0x21,
  topic_alias_maximum = 0x22,
  topic_alias = 0x23,
  maximum_qos = 0x24,
  retain_available = 0x25,
  user_property = 0x26,
  maximum_packet_size = 0x27,
  wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29,
  shared_subscription_available = 0x2A,
};

using UserProperties = std::vector<std::pair<std::string, std::string>>;

// Walks one property block. next() yields each identifier and the caller reads its value with
// the typed call the identifier calls for. An identifier MQTT 5 does not define, or a second
// copy of one that may appear only once, throws CodecError.
class PropertyReader {
 public:
  explicit PropertyReader(std::string_view block) noexcept : block_(block) {}
  bool done() const noexcept { return block_.empty(); }
  PropertyId next();
  std::uint8_t byte() { return block_.u8(); }
  bool flag();  // a byte that must be 0 or 1
  std::uint16_t u16() { return block_.u16(); }
  std::uint16_t nonzero_u16(PropertyId id);
  std::uint32_t u32() { return block_.u32(); }
  std::uint32_t varint() { return block_.varint(); }
  std::string string() { return std::string(block_.string()); }
  void skip_string() { block_.string(); }
  std::pair<std::string, std::string> string_pair();
  // Throws CodecError naming `id` as not allowed in `packet_name`.
  [[noreturn]] static void reject(PropertyId id, std::string_view packet_name);

 private:
  BodyReader block_;
  std::uint64_t seen_ = 0;
};

// The property block at the reader's position (its length, then that many bytes), unparsed.
inline std::string_view take_property_block(BodyReader& body) { return body.take(body.varint()); }

// Decode a property block into the fields of the packet it belongs to; CodecError for an
// identifier that packet does not allow or a value out of its range.
void read_publish_properties(std::string_view block, MessageProperties& properties);
void read_connack_properties(std::string_view block, ConnectResult& result);

// The properties of acknowledgements and DISCONNECT; user properties are read and dropped.
struct ReasonProperties {
  std::optional<std::string> reason_string{};
  std::optional<std::string> server_reference{};
};
// `server_reference_allowed` is true for DISCONNECT only.
ReasonProperties read_reason_properties(std::string_view block, std::string_view packet_name,
                                        bool server_reference_allowed);

template <class Sink>
void put_byte_property(Sink& sink, PropertyId id, std::uint8_t value) {
  sink.byte(static_cast<std::uint8_t>(id));
  sink.byte(value);
}
template <class Sink>
void put_u16_property(Sink& sink, PropertyId id, std::uint16_t value) {
  sink.byte(static_cast<std::uint8_t>(id));
  sink.u16(value);
}
template <class Sink>
void put_u32_property(Sink& sink, PropertyId id, std::uint32_t value) {
  sink.byte(static_cast<std::uint8_t>(id));
  sink.u32(value);
}
template <class Sink>
void put_varint_property(Sink& sink, PropertyId id, std::uint32_t value) {
  sink.byte(static_cast<std::uint8_t>(id));
  sink.varint(value);
}
template <class Sink>
void put_string_property(Sink& sink, PropertyId id, std::string_view value) {
  sink.byte(static_cast<std::uint8_t>(id));
  sink.string(value);
}
template <class Sink>
void put_user_properties(Sink& sink, const UserProperties& properties) {
  for (const auto& [key, value] : properties) {
    sink.byte(static_cast<std::uint8_t>(PropertyId::user_property));
    sink.string(key);
    sink.string(value);
  }
}

// A property block: its length, then what `write_properties(sink)` writes.
template <class Sink, class WriteProperties>
void put_property_block(Sink& sink, const WriteProperties& write_properties) {
  SizeCounter counter;
  write_properties(counter);
  sink.varint(counter.size());
  write_properties(sink);
}

// The properties a PUBLISH and a will message share, user properties last and in order. Topic
// alias and will delay belong to one of the two, so the caller writes them first; subscription
// identifiers travel only from the broker and are never written.
template <class Sink>
void put_message_properties(Sink& sink, const MessageProperties& properties) {
  if (properties.payload_format_indicator) {
    if (*properties.payload_format_indicator > 1)
      throw CodecError("payload format indicator must be 0 or 1");
    put_byte_property(sink, PropertyId::payload_format_indicator, *properties.payload_format_indicator);
  }
  if (properties.message_expiry_interval)
    put_u32_property(sink, PropertyId::message_expiry_interval, *properties.message_expiry_interval);
  if (properties.content_type)
    put_string_property(sink, PropertyId::content_type, *properties.content_type);
  if (properties.response_topic)
    put_string_property(sink, PropertyId::response_topic, *properties.response_topic);
  if (properties.correlation_data)
    put_string_property(sink, PropertyId::correlation_data, *properties.correlation_data);
  put_user_properties(sink, properties.user_properties);
}

}  // namespace mqtk::detail::wire
