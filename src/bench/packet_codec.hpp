#pragma once
// The MQTT 3.1/3.1.1/5 packets the bench engine sends and receives, encoded straight into a
// connection's output buffer and decoded from views of its input buffer (no allocation per
// packet). Only what a load client needs: CONNECT/CONNACK, PUBLISH and its acknowledgements,
// SUBSCRIBE/SUBACK, PINGREQ/PINGRESP, DISCONNECT. Written here rather than taken from paho
// because the engine owns its sockets (see bench_connection.hpp); the one-shot `mqtk pub`
// speaks through it too (src/cli/direct_publisher.hpp).

#include <cstdint>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mqtk::bench {

enum class PacketType : std::uint8_t {
  connect = 1, connack = 2, publish = 3, puback = 4, pubrec = 5, pubrel = 6, pubcomp = 7,
  subscribe = 8, suback = 9, unsubscribe = 10, unsuback = 11, pingreq = 12, pingresp = 13,
  disconnect = 14, auth = 15,
};

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
// `packet_id` is ignored at QoS 0. v5 PUBLISH carries an empty property block.
void append_publish(std::string& out, MqttVersion version, std::string_view topic,
                    std::string_view payload, int qos, std::uint16_t packet_id, bool dup = false,
                    bool retain = false);
// PUBACK, PUBREC, PUBREL or PUBCOMP with success (the short form, valid in every version).
void append_ack(std::string& out, PacketType type, std::uint16_t packet_id);
void append_subscribe(std::string& out, MqttVersion version, std::uint16_t packet_id,
                      std::string_view filter, int qos);
void append_pingreq(std::string& out);
void append_disconnect(std::string& out);

// One complete packet inside a buffer: its type, the low nibble of the first byte, and the
// bytes after the fixed header.
struct PacketView {
  PacketType type;
  std::uint8_t flags;
  std::string_view body;
};

// The packet at the start of `buffer` and its total size, nullopt while incomplete.
// Throws CodecError when the length field is malformed or the packet exceeds `max_size`.
struct FramedPacket {
  PacketView packet;
  std::size_t size;
};
std::optional<FramedPacket> next_packet(std::string_view buffer,
                                        std::size_t max_size = 256u * 1024u * 1024u);

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

class CodecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};


}  // namespace mqtk::bench
