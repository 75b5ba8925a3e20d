// The MQTT packet decoders (src/core/wire_codec) on arbitrary bytes from a broker. The first
// byte picks the protocol (odd: 5, even: 3.1.1); the rest is the stream, cut into packets by
// next_packet. Checks, beyond "no crash" and "only CodecError": a decoded PUBLISH that the
// encoder accepts encodes to publish_packet_size bytes and decodes back to the same message
// (less its subscription identifiers, which a client never sends).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/wire_codec.hpp"
#include "fuzz_check.hpp"

namespace wire = mqtk::detail::wire;

namespace {

void check_publish_round_trip(const wire::ReceivedPublish& received, mqtk::ProtocolVersion version) {
  std::string encoded;
  try {
    wire::append_publish(encoded, received.message, version, received.packet_id, received.message.duplicate);
  } catch (const wire::CodecError&) {
    MQTK_FUZZ_CHECK(encoded.empty());
    return;  // decodable but not sendable, e.g. DUP on a QoS 0 message
  }
  MQTK_FUZZ_CHECK(encoded.size() == wire::publish_packet_size(received.message, version));
  const auto framed = wire::next_packet(encoded);
  MQTK_FUZZ_CHECK(framed && framed->size == encoded.size());
  const wire::ReceivedPublish again = wire::decode_publish(framed->packet, version);
  mqtk::Message expected = received.message;
  expected.properties.subscription_identifiers.clear();
  MQTK_FUZZ_CHECK(again.message == expected);
  MQTK_FUZZ_CHECK(again.packet_id == received.packet_id);
}

void decode(const wire::PacketView& packet, mqtk::ProtocolVersion version) {
  switch (packet.type) {
    case wire::PacketType::connack: wire::decode_connack(packet, version); break;
    case wire::PacketType::publish: check_publish_round_trip(wire::decode_publish(packet, version), version); break;
    case wire::PacketType::puback:
    case wire::PacketType::pubrec:
    case wire::PacketType::pubrel:
    case wire::PacketType::pubcomp: wire::decode_publish_ack(packet, version); break;
    case wire::PacketType::suback: MQTK_FUZZ_CHECK(!wire::decode_suback(packet, version).reason_codes.empty()); break;
    case wire::PacketType::unsuback: wire::decode_unsuback(packet, version); break;
    case wire::PacketType::disconnect: wire::decode_disconnect(packet); break;
    default: break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto version = (data[0] & 1) != 0 ? mqtk::ProtocolVersion::v5 : mqtk::ProtocolVersion::v311;
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    while (const auto framed = wire::next_packet(stream, 1 << 20)) {
      MQTK_FUZZ_CHECK(framed->size <= stream.size());
      stream.remove_prefix(framed->size);
      try {
        decode(framed->packet, version);
      } catch (const wire::CodecError&) {
      }
    }
  } catch (const wire::CodecError&) {
  }
  return 0;
}
