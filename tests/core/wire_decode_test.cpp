// What a broker sends, decoded from bytes written by hand: CONNACK with every property, PUBLISH
// with repeated subscription identifiers, the acknowledgements in short and long forms,
// DISCONNECT, and malformed packets refused with the reason a client would disconnect with.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/wire_codec.hpp"
#include "core/wire_test_helpers.hpp"

namespace mqtk::detail::wire {

using namespace std::string_literals;

TEST_SUITE_BEGIN("core.wire_decode");

// CONNACK v5, session present, success, and one of every CONNACK property (two user properties).
std::string every_connack_property() {
  return from_hex(
    "20 46 01 00 43"
    " 11 00 00 00 78  21 00 0a  24 01  25 00  27 00 01 00 00  12 00 03 61 62 63  22 00 08"
    " 1f 00 02 6f 6b  26 00 01 6b 00 01 31  26 00 01 6b 00 01 32  28 00  29 01  2a 00"
    " 13 00 1e  1a 00 04 69 6e 66 6f  1c 00 03 73 72 76");
}

TEST_CASE("CONNACK v5: every property lands in its ConnectResult field") {
  const Connack connack = decode_connack(only_packet(every_connack_property()), ProtocolVersion::v5);
  CHECK(connack.session_present);
  CHECK(connack.reason_code == 0);
  const ConnectResult& result = connack.connect_result;
  CHECK(result.session_present);
  CHECK(result.session_expiry_interval == 120u);
  CHECK(result.receive_maximum == 10);
  CHECK(result.maximum_qos == 1);
  CHECK(result.retain_available == false);
  CHECK(result.maximum_packet_size == 65536u);
  CHECK(result.assigned_client_id == "abc");
  CHECK(result.topic_alias_maximum == 8);
  CHECK(result.reason_string == "ok");
  CHECK(result.user_properties == std::vector<std::pair<std::string, std::string>>{{"k", "1"}, {"k", "2"}});
  CHECK(result.wildcard_subscription_available == false);
  CHECK(result.subscription_identifiers_available == true);
  CHECK(result.shared_subscription_available == false);
  CHECK(result.server_keep_alive == 30);
  CHECK(result.response_information == "info");
  CHECK(result.server_reference == "srv");
  CHECK(result.client_id.empty());  // the caller's to fill
}

TEST_CASE("CONNACK v5 cut anywhere short of its end is refused, not read past") {
  const std::string bytes = every_connack_property();
  const PacketView whole = only_packet(bytes);
  for (std::size_t cut = 0; cut < whole.body.size(); ++cut) {
    CAPTURE(cut);
    const PacketView cut_packet{whole.type, whole.flags, whole.body.substr(0, cut)};
    if (cut == 2) {
      CHECK_FALSE(decode_connack(cut_packet, ProtocolVersion::v5).connect_result.receive_maximum);
    } else {
      CHECK_THROWS_AS(decode_connack(cut_packet, ProtocolVersion::v5), CodecError);
    }
  }
}

TEST_CASE("CONNACK 3.1.1: session present and return code, nothing after them") {
  const Connack refused = decode_connack(only_packet(from_hex("20 02 00 05")), ProtocolVersion::v311);
  CHECK_FALSE(refused.session_present);
  CHECK(refused.reason_code == 5);
  CHECK_THROWS_AS(decode_connack(only_packet(from_hex("20 03 00 00 00")), ProtocolVersion::v311), CodecError);
  CHECK_THROWS_AS(decode_connack(only_packet(from_hex("20 02 02 00")), ProtocolVersion::v311), CodecError);
  CHECK_THROWS_AS(decode_connack(only_packet(from_hex("21 02 00 00")), ProtocolVersion::v311), CodecError);
  CHECK_THROWS_AS(decode_connack(only_packet(from_hex("20 01 00")), ProtocolVersion::v311), CodecError);
  CHECK_THROWS_AS(decode_connack(only_packet(from_hex("40 02 00 01")), ProtocolVersion::v311), CodecError);
}

TEST_CASE("PUBLISH from the broker: repeated subscription identifiers, DUP and retain flags") {
  const std::string bytes = from_hex("3b 0f 00 01 74 00 07 08 0b 01 0b 80 01 23 00 02 70");
  const ReceivedPublish received = decode_publish(only_packet(bytes), ProtocolVersion::v5);
  CHECK(received.packet_id == 7);
  const Message& message = received.message;
  CHECK(message.topic == "t");
  CHECK(message.payload == "p");
  CHECK(message.qos == 1);
  CHECK(message.duplicate);
  CHECK(message.retain);
  CHECK(message.properties.subscription_identifiers == std::vector<std::uint32_t>{1, 128});
  CHECK(message.properties.topic_alias == 2);
  CHECK_FALSE(message.received_at);

  const PublishView view = view_publish(only_packet(bytes), ProtocolVersion::v5);
  CHECK(view.topic == "t");
  CHECK(view.properties == from_hex("0b 01 0b 80 01 23 00 02"));
  CHECK(view.payload == "p");
}

TEST_CASE("PUBLISH 3.1.1 carries no property block: the payload follows the packet id") {
  const ReceivedPublish received =
      decode_publish(only_packet(from_hex("34 07 00 01 74 00 09 00 00")), ProtocolVersion::v311);
  CHECK(received.packet_id == 9);
  CHECK(received.message.qos == 2);
  CHECK(received.message.payload == "\0\0"s);
  CHECK(received.message.properties.empty());
}

TEST_CASE("PUBLISH malformed: QoS 3, packet id 0, empty topic before v5, cut properties") {
  const auto refused = [](const std::string& hex, ProtocolVersion version) {
    try {
      decode_publish(only_packet(from_hex(hex)), version);
    } catch (const CodecError& error) {
      return error.reason_code().value_or(0);
    }
    FAIL("decoded: " << hex);
    return 0;
  };
  CHECK(refused("36 03 00 01 74", ProtocolVersion::v311) == reason_malformed_packet);
  CHECK(refused("32 05 00 01 74 00 00", ProtocolVersion::v311) == reason_protocol_error);
  CHECK(refused("30 02 00 00", ProtocolVersion::v311) == reason_protocol_error);
  CHECK(refused("30 02 00 09", ProtocolVersion::v311) == reason_malformed_packet);
  CHECK(refused("30 06 00 01 74 05 01 00", ProtocolVersion::v5) == reason_malformed_packet);
  CHECK(refused("30 08 00 01 74 ff ff ff ff 01", ProtocolVersion::v5) == reason_malformed_packet);
  CHECK(refused("30 05 00 01 74 80 00", ProtocolVersion::v5) == reason_malformed_packet);
  CHECK(refused("30 06 00 01 74 02 0b 00", ProtocolVersion::v5) == reason_protocol_error);
  CHECK(refused("30 07 00 01 74 03 23 00 00", ProtocolVersion::v5) == reason_protocol_error);
  CHECK(refused("30 06 00 01 74 02 7f 00", ProtocolVersion::v5) == reason_malformed_packet);
  CHECK(refused("30 06 00 01 74 02 01 02", ProtocolVersion::v5) == reason_protocol_error);
}

TEST_CASE("PUBLISH v5 with every property: each cut of its header and properties is refused") {
  Message sent;
  sent.topic = "a/b";
  sent.qos = 1;
  sent.payload = "payload";
  sent.properties.content_type = "text/plain";
  sent.properties.correlation_data = "\0\1"s;
  sent.properties.user_properties = {{"k", "v"}};
  std::string out;
  append_publish(out, sent, ProtocolVersion::v5, 3, false);
  const PacketView whole = only_packet(out);
  const std::size_t payload_starts = whole.body.size() - sent.payload.size();
  for (std::size_t cut = 0; cut < payload_starts; ++cut) {
    CAPTURE(cut);
    CHECK_THROWS_AS(decode_publish({whole.type, whole.flags, whole.body.substr(0, cut)}, ProtocolVersion::v5),
                    CodecError);
  }
  CHECK(decode_publish(whole, ProtocolVersion::v5).message == sent);
}

TEST_CASE("acknowledgements: short form, reason code alone, reason code with a reason string") {
  const PublishAck short_form = decode_publish_ack(only_packet(from_hex("40 02 00 05")), ProtocolVersion::v5);
  CHECK(short_form.packet_id == 5);
  CHECK(short_form.reason_code == 0);
  CHECK_FALSE(short_form.reason_string);
  const PublishAck reason_only = decode_publish_ack(only_packet(from_hex("50 03 00 05 10")), ProtocolVersion::v5);
  CHECK(reason_only.reason_code == 0x10);
  const PublishAck with_string = decode_publish_ack(
      only_packet(from_hex("70 11 00 05 92 0d 1f 00 03 62 61 64 26 00 01 6b 00 01 76")), ProtocolVersion::v5);
  CHECK(with_string.packet_id == 5);
  CHECK(with_string.reason_code == 0x92);
  CHECK(with_string.reason_string == "bad");
  const PublishAck release = decode_publish_ack(only_packet(from_hex("62 02 00 06")), ProtocolVersion::v311);
  CHECK(release.packet_id == 6);
}

TEST_CASE("acknowledgements malformed: PUBREL flags, packet id 0, extra bytes before v5") {
  CHECK_THROWS_AS(decode_publish_ack(only_packet(from_hex("60 02 00 06")), ProtocolVersion::v311), CodecError);
  CHECK_THROWS_AS(decode_publish_ack(only_packet(from_hex("42 02 00 06")), ProtocolVersion::v311), CodecError);
  CHECK_THROWS_AS(decode_publish_ack(only_packet(from_hex("40 02 00 00")), ProtocolVersion::v5), CodecError);
  CHECK_THROWS_AS(decode_publish_ack(only_packet(from_hex("40 03 00 06 10")), ProtocolVersion::v311), CodecError);
  CHECK_THROWS_AS(decode_publish_ack(only_packet(from_hex("40 01 00")), ProtocolVersion::v5), CodecError);
  CHECK_THROWS_AS(decode_publish_ack(only_packet(from_hex("90 03 00 06 00")), ProtocolVersion::v5), CodecError);
  // A server reference belongs to DISCONNECT and CONNACK only.
  CHECK_THROWS_AS(decode_publish_ack(only_packet(from_hex("40 08 00 06 80 04 1c 00 01 73")), ProtocolVersion::v5),
                  CodecError);
}

TEST_CASE("SUBACK: one code per filter, after v5's property block") {
  const Suback v3 = decode_suback(only_packet(from_hex("90 05 00 0a 02 01 80")), ProtocolVersion::v311);
  CHECK(v3.packet_id == 10);
  CHECK(v3.reason_codes == std::vector<std::uint8_t>{2, 1, 0x80});
  const Suback v5 = decode_suback(
      only_packet(from_hex("90 0a 00 0a 05 1f 00 02 6e 6f 00 97")), ProtocolVersion::v5);
  CHECK(v5.reason_codes == std::vector<std::uint8_t>{0x00, 0x97});
  CHECK(v5.reason_string == "no");
  CHECK_THROWS_AS(decode_suback(only_packet(from_hex("90 02 00 0a")), ProtocolVersion::v311), CodecError);
  CHECK_THROWS_AS(decode_suback(only_packet(from_hex("90 03 00 0a 00")), ProtocolVersion::v5), CodecError);
}

TEST_CASE("UNSUBACK: a bare packet id before v5, reason codes in v5") {
  const Unsuback v3 = decode_unsuback(only_packet(from_hex("b0 02 00 0b")), ProtocolVersion::v311);
  CHECK(v3.packet_id == 11);
  CHECK(v3.reason_codes.empty());
  const Unsuback v5 = decode_unsuback(only_packet(from_hex("b0 05 00 0b 00 00 11")), ProtocolVersion::v5);
  CHECK(v5.reason_codes == std::vector<std::uint8_t>{0x00, 0x11});
  CHECK_THROWS_AS(decode_unsuback(only_packet(from_hex("b0 03 00 0b 00")), ProtocolVersion::v311), CodecError);
  CHECK_THROWS_AS(decode_unsuback(only_packet(from_hex("b0 03 00 0b 00")), ProtocolVersion::v5), CodecError);
}

TEST_CASE("DISCONNECT from the broker: reason, reason string, server reference") {
  const Disconnect bare = decode_disconnect(only_packet(from_hex("e0 00")));
  CHECK(bare.reason_code == 0);
  CHECK(decode_disconnect(only_packet(from_hex("e0 01 8e"))).reason_code == 0x8e);
  const Disconnect moved = decode_disconnect(only_packet(from_hex(
      "e0 18 9c 16 1c 00 0a 6f 74 68 65 72 3a 31 38 38 33 1f 00 06 6d 6f 76 69 6e 67")));
  CHECK(moved.reason_code == 0x9c);
  CHECK(moved.server_reference == "other:1883");
  CHECK(moved.reason_string == "moving");
  // Session expiry travels only from client to server in DISCONNECT (MQTT 5 3.14.2.2.2).
  CHECK_THROWS_AS(decode_disconnect(only_packet(from_hex("e0 07 00 05 11 00 00 00 00"))), CodecError);
  CHECK_THROWS_AS(decode_disconnect(only_packet(from_hex("e1 00"))), CodecError);
}

TEST_SUITE_END();

}  // namespace mqtk::detail::wire
