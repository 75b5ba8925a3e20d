// MQTT 5 property blocks: which identifiers exist, which may repeat, which values are in range,
// and that a block is measured and written by the same code.
#include <doctest/doctest.h>

#include <string>

#include "core/wire_properties.hpp"
#include "core/wire_test_helpers.hpp"

namespace mqtk::detail::wire {

using namespace std::string_literals;

TEST_SUITE_BEGIN("core.wire_properties");

TEST_CASE("PropertyReader: user properties and subscription identifiers repeat, others do not") {
  const std::string repeated = from_hex("26 00 01 6b 00 01 31  26 00 01 6b 00 01 32  0b 01 0b 02");
  PropertyReader repeats(repeated);
  CHECK(repeats.next() == PropertyId::user_property);
  CHECK(repeats.string_pair() == std::pair<std::string, std::string>{"k", "1"});
  CHECK(repeats.next() == PropertyId::user_property);
  CHECK(repeats.string_pair() == std::pair<std::string, std::string>{"k", "2"});
  CHECK(repeats.next() == PropertyId::subscription_identifier);
  CHECK(repeats.varint() == 1);
  CHECK(repeats.next() == PropertyId::subscription_identifier);
  CHECK(repeats.varint() == 2);
  CHECK(repeats.done());

  const std::string two_maximums = from_hex("21 00 0a 21 00 0b");
  PropertyReader twice(two_maximums);
  CHECK(twice.next() == PropertyId::receive_maximum);
  CHECK(twice.u16() == 10);
  try {
    twice.next();
    FAIL("a second receive maximum was accepted");
  } catch (const CodecError& error) {
    CHECK(error.reason_code() == reason_protocol_error);
  }
}

TEST_CASE("PropertyReader refuses identifiers MQTT 5 does not define") {
  for (const std::uint8_t id : {0x00, 0x04, 0x0A, 0x14, 0x20, 0x2B, 0x7F, 0xFF}) {
    CAPTURE(int(id));
    const std::string block = std::string(1, static_cast<char>(id)) + "\0\0\0\0"s;
    PropertyReader reader(block);
    CHECK_THROWS_AS(reader.next(), CodecError);
  }
}

TEST_CASE("flags are 0 or 1, and the values MQTT 5 forbids to be 0 are refused") {
  const std::string two = from_hex("02");
  PropertyReader flags(two);
  CHECK_THROWS_AS(flags.flag(), CodecError);
  const std::string zeros = from_hex("00 00");
  PropertyReader zero(zeros);
  CHECK_THROWS_AS(zero.nonzero_u16(PropertyId::topic_alias), CodecError);
  ConnectResult result;
  CHECK_THROWS_AS(read_connack_properties(from_hex("24 02"), result), CodecError);
  CHECK_THROWS_AS(read_connack_properties(from_hex("21 00 00"), result), CodecError);
  CHECK_THROWS_AS(read_connack_properties(from_hex("27 00 00 00 00"), result), CodecError);
}

TEST_CASE("each packet takes only its own properties") {
  ConnectResult result;
  CHECK_THROWS_AS(read_connack_properties(from_hex("23 00 01"), result), CodecError);  // topic alias
  MessageProperties properties;
  CHECK_THROWS_AS(read_publish_properties(from_hex("11 00 00 00 01"), properties), CodecError);
  CHECK_THROWS_AS(read_reason_properties(from_hex("03 00 01 74"), "PUBACK", false), CodecError);
  CHECK_THROWS_AS(read_reason_properties(from_hex("1c 00 01 73"), "SUBACK", false), CodecError);
  CHECK(read_reason_properties(from_hex("1c 00 01 73"), "DISCONNECT", true).server_reference == "s");
  // Authentication answers are valid in CONNACK; mqtk never asks, so they are passed over.
  CHECK_NOTHROW(read_connack_properties(from_hex("15 00 01 6d 16 00 01 64"), result));
}

TEST_CASE("a property block is prefixed with the length of what the same writer wrote") {
  MessageProperties properties;
  properties.payload_format_indicator = 1;
  properties.message_expiry_interval = 0x01020304;
  properties.response_topic = "r";
  properties.user_properties = {{"b", ""}, {"a", "z"}};
  std::string out;
  BufferWriter writer(out);
  put_property_block(writer, [&](auto& block) { put_message_properties(block, properties); });
  CHECK(out == from_hex("18 01 01 02 01 02 03 04 08 00 01 72 26 00 01 62 00 00 26 00 01 61 00 01 7a"));
  SizeCounter counter;
  put_property_block(counter, [&](auto& block) { put_message_properties(block, properties); });
  CHECK(counter.size() == out.size());

  MessageProperties read_back;
  read_publish_properties(std::string_view(out).substr(1), read_back);
  CHECK(read_back == properties);
}

TEST_CASE("a payload format indicator other than 0 or 1 is not written") {
  MessageProperties properties;
  properties.payload_format_indicator = 2;
  SizeCounter counter;
  CHECK_THROWS_AS(put_message_properties(counter, properties), CodecError);
}

TEST_SUITE_END();

}  // namespace mqtk::detail::wire
