#pragma once
// Internal to the core: the MQTT 3.1, 3.1.1 and 5 packets a client sends and receives, mapped
// straight to and from the library's public types, for mqtk's own client engine (paho caps its
// throughput). Pure functions over byte buffers: no sockets, no threads, no state.
// Encoders append one whole packet to `out`, or throw CodecError and leave `out` unchanged.
// Decoders take a PacketView from next_packet() and throw CodecError on anything malformed;
// CodecError::reason_code() is the v5 reason to DISCONNECT with.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <mqtk/client.hpp>
#include <mqtk/client_options.hpp>
#include <mqtk/message.hpp>

#include "core/wire_frame.hpp"

namespace mqtk::detail::wire {

// ---- encoding -------------------------------------------------------------------------------

// CONNECT as `options` describe it (version, clean session, keepalive, will, credentials and the
// v5 properties, session expiry from effective_session_expiry()). Throws CodecError for a will
// QoS above 2, an empty will topic, a password without a username before v5, or a receive
// maximum or maximum packet size of 0.
void append_connect(std::string& out, const ClientOptions& options, std::string_view client_id);

// A PUBLISH from borrowed bytes, for senders that keep topic and payload elsewhere (the bench).
struct OutgoingPublish {
  std::string_view topic;
  std::string_view payload;
  int qos = 0;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;                   // written at QoS 1 and 2 only, where 0 throws
  const MessageProperties* properties = nullptr;  // v5; subscription identifiers are not sent
};
// Throws CodecError for QoS outside 0..2, DUP at QoS 0, or an empty topic (allowed in v5 when a
// topic alias names it).
void append_publish(std::string& out, const OutgoingPublish& publish, ProtocolVersion version);
void append_publish(std::string& out, const Message& message, ProtocolVersion version,
                    std::uint16_t packet_id, bool dup);
// The size append_publish would add to `out`, fixed header included, without encoding; for a
// maximum packet size check. Throws what append_publish would.
std::size_t publish_packet_size(const OutgoingPublish& publish, ProtocolVersion version);
std::size_t publish_packet_size(const Message& message, ProtocolVersion version);

// One SUBSCRIBE for all `subscriptions`. v5: an options byte per filter, and the packet's
// subscription identifier and user properties from the first subscription. 3.1/3.1.1: QoS only.
void append_subscribe(std::string& out, ProtocolVersion version, std::uint16_t packet_id,
                      std::span<const Subscription> subscriptions);
void append_unsubscribe(std::string& out, ProtocolVersion version, std::uint16_t packet_id,
                        const std::vector<std::string>& filters);
// PUBACK, PUBREC, PUBREL or PUBCOMP. v5 with a non-zero `reason` adds it; otherwise (and always
// before v5, which has no reason codes) the 2-byte form.
void append_publish_ack(std::string& out, PacketType type, std::uint16_t packet_id,
                        ProtocolVersion version, std::uint8_t reason = 0);
void append_pingreq(std::string& out);
// v5 with a non-zero `reason` (e.g. 0x04, disconnect with will message) adds it; before v5 the
// reason is not expressible and DISCONNECT is always 2 bytes.
void append_disconnect(std::string& out, ProtocolVersion version, std::uint8_t reason = 0);

// ---- decoding -------------------------------------------------------------------------------

struct Connack {
  bool session_present = false;
  std::uint8_t reason_code = 0;  // v3 return code or v5 reason code; 0 = accepted
  // session_present and the v5 properties; version, client_id and server_uri are the caller's.
  ConnectResult connect_result{};
};
Connack decode_connack(const PacketView& packet, ProtocolVersion version);

// A PUBLISH with its fields still inside the packet, for readers that copy nothing.
struct PublishView {
  std::string_view topic;       // may be empty in v5 when a topic alias stands for it
  std::string_view properties;  // v5 property block without its length; read_publish_properties
  std::string_view payload;
  int qos = 0;
  bool retain = false;
  bool duplicate = false;
  std::uint16_t packet_id = 0;  // 0 at QoS 0
};
PublishView view_publish(const PacketView& packet, ProtocolVersion version);

struct ReceivedPublish {
  Message message{};  // received_at unset: the caller stamps it
  std::uint16_t packet_id = 0;
};
ReceivedPublish decode_publish(const PacketView& packet, ProtocolVersion version);

// PUBACK, PUBREC, PUBREL or PUBCOMP.
struct PublishAck {
  std::uint16_t packet_id = 0;
  std::uint8_t reason_code = 0;  // 0 when absent
  std::optional<std::string> reason_string{};
};
PublishAck decode_publish_ack(const PacketView& packet, ProtocolVersion version);

struct Suback {
  std::uint16_t packet_id = 0;
  std::vector<std::uint8_t> reason_codes{};  // one per filter: granted QoS, or >= 0x80 refused
  std::optional<std::string> reason_string{};
};
Suback decode_suback(const PacketView& packet, ProtocolVersion version);

struct Unsuback {
  std::uint16_t packet_id = 0;
  std::vector<std::uint8_t> reason_codes{};  // v5, one per filter; empty before v5
  std::optional<std::string> reason_string{};
};
Unsuback decode_unsuback(const PacketView& packet, ProtocolVersion version);

// A DISCONNECT from the broker (v5); before v5 its body is empty and it decodes to reason 0.
struct Disconnect {
  std::uint8_t reason_code = 0;  // 0 when absent
  std::optional<std::string> reason_string{};
  std::optional<std::string> server_reference{};
};
Disconnect decode_disconnect(const PacketView& packet);

}  // namespace mqtk::detail::wire
