// The packets mqtk's engine sends, byte for byte as the spec lays them out, and PUBLISH through
// the encoder and back through the decoder with every property in every version.
#include <doctest/doctest.h>

#include <sys/mman.h>

#include <string>
#include <vector>

#include "core/wire_codec.hpp"
#include "core/wire_test_helpers.hpp"

namespace mqtk::detail::wire {

using namespace std::string_literals;

TEST_SUITE_BEGIN("core.wire_codec");

TEST_CASE("CONNECT 3.1.1 at its smallest: empty client id, keepalive 60, clean session") {
  std::string out;
  append_connect(out, ClientOptions{}, "");
  CHECK(out == from_hex("10 0c 00 04 4d 51 54 54 04 02 00 3c 00 00"));
}

TEST_CASE("CONNECT 3.1 names the protocol MQIsdp, level 3") {
  ClientOptions options;
  options.version = ProtocolVersion::v31;
  std::string out;
  append_connect(out, options, "");
  CHECK(out == from_hex("10 0e 00 06 4d 51 49 73 64 70 03 02 00 3c 00 00"));
}

TEST_CASE("CONNECT v5 of a persistent session without an expiry asks for 0xFFFFFFFF") {
  ClientOptions options;
  options.version = ProtocolVersion::v5;
  options.clean_session = false;
  std::string out;
  append_connect(out, options, "x");
  CHECK(out == from_hex("10 13 00 04 4d 51 54 54 05 00 00 3c 05 11 ff ff ff ff 00 01 78"));
  CHECK(out.find(from_hex("11 ff ff ff ff")) != std::string::npos);
}

TEST_CASE("CONNECT v5 with will, credentials and every CONNECT and will property") {
  ClientOptions options;
  options.version = ProtocolVersion::v5;
  options.keepalive_s = 10;
  options.session_expiry_s = 30;
  options.username = "u";
  options.password = "p";
  options.connect_properties.receive_maximum = 20;
  options.connect_properties.maximum_packet_size = 1000;
  options.connect_properties.topic_alias_maximum = 5;
  options.connect_properties.request_response_information = true;
  options.connect_properties.request_problem_information = false;
  options.connect_properties.user_properties = {{"a", "b"}};
  Will will;
  will.topic = "w";
  will.payload = "bye\0"s;
  will.qos = 1;
  will.retain = true;
  will.delay_interval = 5;
  will.properties.payload_format_indicator = 1;
  will.properties.message_expiry_interval = 10;
  will.properties.content_type = "t";
  will.properties.response_topic = "r";
  will.properties.correlation_data = "\0c"s;
  will.properties.user_properties = {{"k", "v"}};
  options.will = will;
  std::string out;
  append_connect(out, options, "id");
  CHECK(out == from_hex("10 5a  00 04 4d 51 54 54 05 ee 00 0a"
                        "  1b 11 00 00 00 1e 21 00 14 27 00 00 03 e8 22 00 05 19 01 17 00"
                        "     26 00 01 61 00 01 62"
                        "  00 02 69 64"
                        "  20 18 00 00 00 05 01 01 02 00 00 00 0a 03 00 01 74 08 00 01 72"
                        "     09 00 02 00 63 26 00 01 6b 00 01 76"
                        "  00 01 77 00 04 62 79 65 00  00 01 75  00 01 70"));
}

TEST_CASE("CONNECT refuses what the spec cannot carry and leaves the buffer alone") {
  ClientOptions options;
  options.password = "p";  // 3.1.1 section 3.1.2.9: no password without a username
  std::string out;
  CHECK_THROWS_AS(append_connect(out, options, "c"), CodecError);
  options.version = ProtocolVersion::v5;
  CHECK_NOTHROW(append_connect(out, options, "c"));
  CHECK(static_cast<std::uint8_t>(out[9]) == 0x42);
  out.clear();
  options.will = Will{"w", "", 3};
  CHECK_THROWS_AS(append_connect(out, options, "c"), CodecError);
  options.will = Will{"", "", 0};
  CHECK_THROWS_AS(append_connect(out, options, "c"), CodecError);
  options.will.reset();
  options.connect_properties.receive_maximum = 0;
  CHECK_THROWS_AS(append_connect(out, options, "c"), CodecError);
  options.connect_properties.receive_maximum.reset();
  CHECK_THROWS_AS(append_connect(out, options, std::string(65536, 'c')), CodecError);
  CHECK(out.empty());
}

Message message_with_every_property() {
  Message message;
  message.topic = "a/b";
  message.payload = "\0bin\0\xff"s;
  message.retain = true;
  MessageProperties& properties = message.properties;
  properties.payload_format_indicator = 0;
  properties.message_expiry_interval = 3600;
  properties.content_type = "application/octet-stream";
  properties.response_topic = "reply/to";
  properties.correlation_data = "\0id\0"s;
  properties.topic_alias = 7;
  properties.user_properties = {{"k", "1"}, {"k", "2"}, {"a", ""}};
  return message;
}

TEST_CASE("PUBLISH round trip at every QoS and version, every v5 property kept in order") {
  for (const ProtocolVersion version : {ProtocolVersion::v31, ProtocolVersion::v311, ProtocolVersion::v5}) {
    for (int qos = 0; qos <= 2; ++qos) {
      CAPTURE(to_string(version));
      CAPTURE(qos);
      Message sent = message_with_every_property();
      sent.qos = qos;
      const bool dup = qos > 0;
      const std::uint16_t packet_id = qos > 0 ? 0xBEEF : 0;
      std::string out;
      append_publish(out, sent, version, packet_id, dup);
      CHECK(out.size() == publish_packet_size(sent, version));

      const PacketView packet = only_packet(out);
      CHECK(packet.type == PacketType::publish);
      const ReceivedPublish received = decode_publish(packet, version);
      Message expected = sent;
      expected.duplicate = dup;
      if (version != ProtocolVersion::v5) expected.properties = {};
      CHECK(received.message == expected);
      CHECK(received.packet_id == packet_id);
    }
  }
}

TEST_CASE("PUBLISH bytes: flags in the first byte, packet id only at QoS > 0, v5 property block") {
  Message message;
  message.topic = "t";
  message.payload = "x";
  std::string out;
  append_publish(out, message, ProtocolVersion::v311, 5, false);
  CHECK(out == from_hex("30 04 00 01 74 78"));
  message.qos = 2;
  message.retain = true;
  out.clear();
  append_publish(out, message, ProtocolVersion::v311, 5, true);
  CHECK(out == from_hex("3d 06 00 01 74 00 05 78"));
  message.qos = 1;
  message.properties.content_type = "c";
  message.properties.user_properties = {{"k", "v"}};
  message.properties.subscription_identifiers = {9};  // the broker's to send, never the client's
  out.clear();
  append_publish(out, message, ProtocolVersion::v5, 5, false);
  CHECK(out == from_hex("33 12 00 01 74 00 05 0b 03 00 01 63 26 00 01 6b 00 01 76 78"));
  out.clear();
  message.properties = {};
  append_publish(out, message, ProtocolVersion::v5, 5, false);
  CHECK(out == from_hex("33 07 00 01 74 00 05 00 78"));
}

TEST_CASE("PUBLISH with a topic alias and no topic is v5's; nowhere else a PUBLISH lacks one") {
  Message message;
  message.properties.topic_alias = 3;
  std::string out;
  append_publish(out, message, ProtocolVersion::v5, 0, false);
  const ReceivedPublish received = decode_publish(only_packet(out), ProtocolVersion::v5);
  CHECK(received.message.topic.empty());
  CHECK(received.message.properties.topic_alias == 3);
  out.clear();
  CHECK_THROWS_AS(append_publish(out, message, ProtocolVersion::v311, 0, false), CodecError);
  message.properties.topic_alias.reset();
  CHECK_THROWS_AS(append_publish(out, message, ProtocolVersion::v5, 0, false), CodecError);
  CHECK(out.empty());
}

TEST_CASE("PUBLISH refuses QoS 3, DUP at QoS 0, packet id 0 at QoS > 0 and an oversized topic") {
  Message message;
  message.topic = "t";
  std::string out;
  message.qos = 3;
  CHECK_THROWS_AS(append_publish(out, message, ProtocolVersion::v311, 1, false), CodecError);
  message.qos = 0;
  CHECK_THROWS_AS(append_publish(out, message, ProtocolVersion::v311, 0, true), CodecError);
  message.qos = 1;
  CHECK_THROWS_AS(append_publish(out, message, ProtocolVersion::v311, 0, false), CodecError);
  CHECK_THROWS_AS(publish_packet_size(OutgoingPublish{"t", "", 1}, ProtocolVersion::v311), CodecError);
  message.topic = std::string(65536, 't');
  CHECK_THROWS_AS(append_publish(out, message, ProtocolVersion::v311, 1, false), CodecError);
  CHECK(out.empty());
}

// Address space for a payload at MQTT's size limit that is never read, so it costs no memory.
class UntouchedBytes {
 public:
  explicit UntouchedBytes(std::size_t size)
      : size_(size), data_(::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)) {
    REQUIRE(data_ != MAP_FAILED);
  }
  ~UntouchedBytes() { ::munmap(data_, size_); }
  UntouchedBytes(const UntouchedBytes&) = delete;
  UntouchedBytes& operator=(const UntouchedBytes&) = delete;
  std::string_view view(std::size_t size) const { return {static_cast<const char*>(data_), size}; }

 private:
  std::size_t size_;
  void* data_;
};

TEST_CASE("publish_packet_size measures up to MQTT's limit; one byte more throws") {
  const UntouchedBytes payload(max_varint);
  OutgoingPublish publish{"t", payload.view(max_varint - 3)};
  CHECK(publish_packet_size(publish, ProtocolVersion::v311) == 1 + 4 + max_varint);
  publish.payload = payload.view(max_varint - 2);
  try {
    publish_packet_size(publish, ProtocolVersion::v311);
    FAIL("a PUBLISH over the limit was measured");
  } catch (const CodecError& error) {
    CHECK(error.reason_code() == reason_packet_too_large);
  }
  std::string out;
  CHECK_THROWS_AS(append_publish(out, publish, ProtocolVersion::v311), CodecError);
  CHECK(out.empty());
}

TEST_CASE("SUBSCRIBE with three filters: v5 options bytes and the first filter's properties") {
  std::vector<Subscription> subscriptions(3);
  subscriptions[0].filter = "a/#";
  subscriptions[0].options = {2, true, true, 2, 300, {{"u", "1"}}};
  subscriptions[1].filter = "b";
  subscriptions[1].options = {1, false, false, 1};
  subscriptions[2].filter = "c/+/d";
  subscriptions[2].options.no_local = true;
  std::string out;
  append_subscribe(out, ProtocolVersion::v5, 10, subscriptions);
  CHECK(out == from_hex("82 1f 00 0a  0a 0b ac 02 26 00 01 75 00 01 31"
                        "  00 03 61 2f 23 2e  00 01 62 11  00 05 63 2f 2b 2f 64 04"));
  out.clear();
  append_subscribe(out, ProtocolVersion::v311, 10, subscriptions);
  CHECK(out == from_hex("82 14 00 0a  00 03 61 2f 23 02  00 01 62 01  00 05 63 2f 2b 2f 64 00"));
}

TEST_CASE("SUBSCRIBE refuses no filters, an empty filter, QoS 3, retain handling 3, id 0") {
  std::string out;
  CHECK_THROWS_AS(append_subscribe(out, ProtocolVersion::v5, 1, {}), CodecError);
  std::vector<Subscription> subscriptions{{"ok", {}}, {"", {}}};
  CHECK_THROWS_AS(append_subscribe(out, ProtocolVersion::v5, 1, subscriptions), CodecError);
  subscriptions = {{"ok", {3}}};
  CHECK_THROWS_AS(append_subscribe(out, ProtocolVersion::v311, 1, subscriptions), CodecError);
  subscriptions = {{"ok", {0, false, false, 3}}};
  CHECK_THROWS_AS(append_subscribe(out, ProtocolVersion::v5, 1, subscriptions), CodecError);
  subscriptions = {{"ok", {0, false, false, 0, 0}}};
  CHECK_THROWS_AS(append_subscribe(out, ProtocolVersion::v5, 1, subscriptions), CodecError);
  subscriptions = {{"ok", {}}};
  CHECK_THROWS_AS(append_subscribe(out, ProtocolVersion::v5, 0, subscriptions), CodecError);
  CHECK(out.empty());
}

TEST_CASE("UNSUBSCRIBE lists its filters; v5 adds an empty property block") {
  std::string out;
  append_unsubscribe(out, ProtocolVersion::v311, 11, {"a", "b"});
  CHECK(out == from_hex("a2 08 00 0b 00 01 61 00 01 62"));
  out.clear();
  append_unsubscribe(out, ProtocolVersion::v5, 11, {"a", "b"});
  CHECK(out == from_hex("a2 09 00 0b 00 00 01 61 00 01 62"));
  out.clear();
  CHECK_THROWS_AS(append_unsubscribe(out, ProtocolVersion::v5, 11, {}), CodecError);
  CHECK(out.empty());
}

TEST_CASE("acknowledgements: the 2-byte form, and v5's reason code when it is not success") {
  std::string out;
  append_publish_ack(out, PacketType::puback, 5, ProtocolVersion::v311);
  append_publish_ack(out, PacketType::pubrec, 5, ProtocolVersion::v5);
  append_publish_ack(out, PacketType::pubrel, 5, ProtocolVersion::v5);
  append_publish_ack(out, PacketType::pubcomp, 5, ProtocolVersion::v311, 0x92);  // v3 has no reasons
  CHECK(out == from_hex("40 02 00 05  50 02 00 05  62 02 00 05  70 02 00 05"));
  out.clear();
  append_publish_ack(out, PacketType::puback, 0x1234, ProtocolVersion::v5, 0x10);
  append_publish_ack(out, PacketType::pubrel, 0x1234, ProtocolVersion::v5, 0x92);
  CHECK(out == from_hex("40 03 12 34 10  62 03 12 34 92"));
  for (const PacketType type : {PacketType::puback, PacketType::pubrec, PacketType::pubrel, PacketType::pubcomp}) {
    std::string ack;
    append_publish_ack(ack, type, 77, ProtocolVersion::v5, 0x80);
    const PublishAck decoded = decode_publish_ack(only_packet(ack), ProtocolVersion::v5);
    CHECK(decoded.packet_id == 77);
    CHECK(decoded.reason_code == 0x80);
  }
  out.clear();
  CHECK_THROWS_AS(append_publish_ack(out, PacketType::suback, 5, ProtocolVersion::v5), CodecError);
  CHECK_THROWS_AS(append_publish_ack(out, PacketType::puback, 0, ProtocolVersion::v5), CodecError);
  CHECK(out.empty());
}

TEST_CASE("PINGREQ and DISCONNECT, with v5's reason 0x04 to have the will sent") {
  std::string out;
  append_pingreq(out);
  append_disconnect(out, ProtocolVersion::v311);
  append_disconnect(out, ProtocolVersion::v5);
  append_disconnect(out, ProtocolVersion::v5, 0x04);
  append_disconnect(out, ProtocolVersion::v311, 0x04);
  CHECK(out == from_hex("c0 00  e0 00  e0 00  e0 01 04  e0 00"));
}

TEST_SUITE_END();

}  // namespace mqtk::detail::wire
