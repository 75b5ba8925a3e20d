// The bench engine's MQTT codec: bytes on the wire as the spec lays them out, and decoding of
// what a broker sends, including split and malformed input.
#include <doctest/doctest.h>

#include <string>

#include "bench/packet_codec.hpp"

using namespace mqtk::bench;
using namespace std::string_literals;

TEST_SUITE_BEGIN("bench.packet_codec");

TEST_CASE("CONNECT 3.1.1 with credentials is laid out as in the spec") {
  std::string out;
  ConnectFields fields;
  fields.client_id = "c1";
  fields.username = "u";
  fields.password = "pw";
  fields.keepalive_s = 30;
  append_connect(out, fields);
  const std::string expected = "\x10\x15\x00\x04MQTT\x04\xc2\x00\x1e\x00\x02" "c1\x00\x01u\x00\x02pw"s;
  CHECK(out == expected);
}

TEST_CASE("CONNECT v5 carries session expiry and receive maximum properties") {
  std::string out;
  ConnectFields fields;
  fields.version = MqttVersion::v5;
  fields.client_id = "x";
  fields.clean_start = false;
  fields.session_expiry_s = 60;
  fields.receive_maximum = 10;
  append_connect(out, fields);
  const auto framed = next_packet(out);
  REQUIRE(framed);
  CHECK(framed->size == out.size());
  CHECK(framed->packet.type == PacketType::connect);
  CHECK(out.substr(2, 8) == "\x00\x04MQTT\x05\x00"s);
  CHECK(out.substr(12, 9) == "\x08\x11\x00\x00\x00\x3c\x21\x00\x0a"s);
}

TEST_CASE("PUBLISH round-trips through the decoder at every QoS and version") {
  for (const MqttVersion version : {MqttVersion::v311, MqttVersion::v5}) {
    for (int qos = 0; qos <= 2; ++qos) {
      std::string out;
      append_publish(out, version, "a/b", std::string(300, 'p'), qos, 7);
      const auto framed = next_packet(out);
      REQUIRE(framed);
      CHECK(framed->size == out.size());
      const IncomingPublish message = parse_publish(framed->packet, version);
      CHECK(message.topic == "a/b");
      CHECK(message.payload == std::string(300, 'p'));
      CHECK(message.qos == qos);
      CHECK(message.packet_id == (qos > 0 ? 7 : 0));
    }
  }
}

TEST_CASE("PUBLISH sets the retain and DUP flags in the first byte") {
  std::string out;
  append_publish(out, MqttVersion::v311, "t", "x", 1, 1, false, true);
  CHECK(out == "\x33\x06\x00\x01t\x00\x01x"s);
  out.clear();
  append_publish(out, MqttVersion::v5, "t", "", 1, 9, true, true);
  CHECK(out == "\x3b\x06\x00\x01t\x00\x09\x00"s);
  const IncomingPublish decoded = parse_publish(next_packet(out)->packet, MqttVersion::v5);
  CHECK(decoded.retain);
  CHECK(decoded.dup);
}

TEST_CASE("acknowledgements, SUBSCRIBE, PINGREQ and DISCONNECT bytes") {
  std::string out;
  append_ack(out, PacketType::puback, 0x0102);
  append_ack(out, PacketType::pubrel, 5);
  append_subscribe(out, MqttVersion::v311, 3, "t/+", 1);
  append_pingreq(out);
  append_disconnect(out);
  CHECK(out == "\x40\x02\x01\x02\x62\x02\x00\x05\x82\x08\x00\x03\x00\x03t/+\x01\xc0\x00\xe0\x00"s);
  std::string v5;
  append_subscribe(v5, MqttVersion::v5, 3, "t", 2);
  CHECK(v5 == "\x82\x07\x00\x03\x00\x00\x01t\x02"s);
}

TEST_CASE("next_packet waits for a whole packet and walks a stream of several") {
  std::string stream;
  append_publish(stream, MqttVersion::v311, "t", std::string(200, 'x'), 0, 0);  // 2-byte length
  append_ack(stream, PacketType::puback, 9);
  for (std::size_t cut = 0; cut < 205; ++cut) CHECK_FALSE(next_packet(std::string_view(stream).substr(0, cut)));
  const auto first = next_packet(stream);
  REQUIRE(first);
  CHECK(first->size == 206);
  const auto second = next_packet(std::string_view(stream).substr(first->size));
  REQUIRE(second);
  CHECK(second->packet.type == PacketType::puback);
  CHECK(parse_ack(second->packet, MqttVersion::v311).packet_id == 9);
}

TEST_CASE("CONNACK: v3 return codes and v5 properties") {
  const std::string v3 = "\x20\x02\x01\x05"s;
  const Connack refused = parse_connack(next_packet(v3)->packet, MqttVersion::v311);
  CHECK(refused.session_present);
  CHECK(refused.reason_code == 5);
  // v5: assigned client id (0x12, skipped), receive maximum 20, server keep alive 15.
  const std::string v5 = "\x20\x0f\x00\x00\x0c\x12\x00\x03" "abc\x21\x00\x14\x13\x00\x0f"s;
  const Connack accepted = parse_connack(next_packet(v5)->packet, MqttVersion::v5);
  CHECK(accepted.reason_code == 0);
  CHECK(accepted.receive_maximum == 20);
  CHECK(accepted.server_keepalive_s == 15);
  CHECK(accepted.assigned_client_id == "abc");
  CHECK_FALSE(accepted.maximum_packet_size);
  // v5: maximum packet size 1000, maximum QoS 1, retain not available, topic alias maximum 10,
  // and a reason string (0x1F) and a user property (0x26) that are skipped.
  const std::string limits = "\x20\x1b\x00\x00\x18\x27\x00\x00\x03\xe8\x24\x01\x25\x00\x22\x00\x0a"
                             "\x1f\x00\x02ok\x26\x00\x01k\x00\x01v"s;
  const Connack limited = parse_connack(next_packet(limits)->packet, MqttVersion::v5);
  CHECK(limited.maximum_packet_size == 1000u);
  CHECK(limited.maximum_qos == 1);
  CHECK(limited.retain_available == false);
  CHECK(limited.topic_alias_maximum == 10);
  CHECK_FALSE(limited.receive_maximum);
}

TEST_CASE("SUBACK and v5 acks with reason codes") {
  const std::string suback = "\x90\x03\x00\x02\x80"s;
  CHECK(parse_suback(next_packet(suback)->packet, MqttVersion::v311).first_code == 0x80);
  const std::string suback5 = "\x90\x04\x00\x02\x00\x01"s;
  CHECK(parse_suback(next_packet(suback5)->packet, MqttVersion::v5).first_code == 1);
  const std::string puback5 = "\x40\x04\x00\x02\x87\x00"s;
  const Ack ack = parse_ack(next_packet(puback5)->packet, MqttVersion::v5);
  CHECK(ack.packet_id == 2);
  CHECK(ack.reason_code == 0x87);
}

TEST_CASE("malformed input is refused, not read past its end") {
  CHECK_THROWS_AS(next_packet("\x30\xff\xff\xff\xff\x01"s), CodecError);
  CHECK_THROWS_AS(next_packet("\x30\x05\x00\x00\x00\x00\x00"s, 4), CodecError);
  const std::string short_publish = "\x30\x02\x00\x09"s;  // topic length 9, no topic
  CHECK_THROWS_AS(parse_publish(next_packet(short_publish)->packet, MqttVersion::v311), CodecError);
  const std::string qos3 = "\x36\x03\x00\x01t"s;
  CHECK_THROWS_AS(parse_publish(next_packet(qos3)->packet, MqttVersion::v311), CodecError);
  const std::string bad_property = "\x20\x05\x00\x00\x02\x7f\x00"s;
  CHECK_THROWS_AS(parse_connack(next_packet(bad_property)->packet, MqttVersion::v5), CodecError);
}
