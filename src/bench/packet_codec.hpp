#pragma once
// The MQTT 3.1/3.1.1/5 packets the bench engine sends and receives, encoded straight into a
// connection's output buffer and decoded from views of its input buffer (no allocation per
// PUBLISH). Only what a load client needs: CONNECT/CONNACK, PUBLISH and its acknowledgements,
// SUBSCRIBE/SUBACK, PINGREQ/PINGRESP, DISCONNECT. The core's codec does the work rather than
// paho because the engine owns its sockets (see bench_connection.hpp); the one-shot `mqtk pub`
// speaks through it too (src/cli/direct_publisher.hpp).

#include <cstdint>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/wire_frame.hpp"

namespace mqtk::bench {

// Framing, encoding and decoding are the core's (src/core/wire_frame.hpp, wire_codec.hpp); this
// header keeps the engine's narrower API over them.
using detail::wire::CodecError;
using detail::wire::FramedPacket;
using detail::wire::next_packet;
using detail::wire::PacketType;
using detail::wire::PacketView;

// The protocol level byte of CONNECT: 3 (3.1), 4 (3.1.1), 5.
enum class MqttVersion : std::uint8_t { v31 = 3, v311 = 4, v5 = 5 };

struct ConnectFields {
  MqttVersion version = MqttVersion::v311;
  std::string_view client_id;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;
  std::uint16_t keepalive_s = 60;
  bool clean_start = true;
  std::optional<std::uint32_t> session_expiry_s;  // v5 only
  std::optional<std::uint16_t> receive_maximum;   // v5 only
};

void append_connect(std::string& out, const ConnectFields& fields);
// `packet_id` is ignored at QoS 0. v5 PUBLISH carries an empty property block. Throws
// CodecError for DUP at QoS 0, a zero `packet_id` at QoS 1 or 2, or an empty topic.
void append_publish(std::string& out, MqttVersion version, std::string_view topic,
                    std::string_view payload, int qos, std::uint16_t packet_id, bool dup = false,
                    bool retain = false);
// PUBACK, PUBREC, PUBREL or PUBCOMP with success (the short form, valid in every version).
void append_ack(std::string& out, PacketType type, std::uint16_t packet_id);
void append_subscribe(std::string& out, MqttVersion version, std::uint16_t packet_id,
                      std::string_view filter, int qos);
void append_pingreq(std::string& out);
void append_disconnect(std::string& out);

struct Connack {
  bool session_present = false;
  std::uint8_t reason_code = 0;  // v3 return code or v5 reason code; 0 = accepted
  std::optional<std::uint16_t> receive_maximum;
  std::optional<std::uint16_t> server_keepalive_s;
  std::optional<std::uint32_t> maximum_packet_size;
  std::optional<std::uint8_t> maximum_qos;
  std::optional<bool> retain_available;
  std::optional<std::uint16_t> topic_alias_maximum;
  std::optional<std::string> assigned_client_id;
};
struct IncomingPublish {
  std::string_view topic;
  std::string_view payload;
  int qos = 0;
  std::uint16_t packet_id = 0;
  bool dup = false;
  bool retain = false;
};
struct Ack {
  std::uint16_t packet_id = 0;
  std::uint8_t reason_code = 0;  // v5; 0 when absent
};
struct Suback {
  std::uint16_t packet_id = 0;
  std::uint8_t first_code = 0;  // granted QoS, or >= 0x80 refused
};

// Each throws CodecError on a body that is too short or inconsistent.
Connack parse_connack(const PacketView& packet, MqttVersion version);
IncomingPublish parse_publish(const PacketView& packet, MqttVersion version);
Ack parse_ack(const PacketView& packet, MqttVersion version);
Suback parse_suback(const PacketView& packet, MqttVersion version);
// v5 DISCONNECT from the broker: its reason code (0 when absent, and always in v3).
std::uint8_t parse_disconnect_reason(const PacketView& packet);

}  // namespace mqtk::bench
