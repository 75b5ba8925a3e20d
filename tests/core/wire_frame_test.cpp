// The framing every MQTT packet shares: variable byte integers at their boundaries, strings at
// their limit, bounds-checked body reads, and cutting a byte stream into packets.
#include <doctest/doctest.h>

#include <string>

#include "core/wire_frame.hpp"
#include "core/wire_test_helpers.hpp"

namespace mqtk::detail::wire {

using namespace std::string_literals;

TEST_SUITE_BEGIN("core.wire_frame");

TEST_CASE("variable byte integers: the spec's boundary values in 1 to 4 bytes, and back") {
  const struct {
    std::size_t value;
    std::string bytes;
  } cases[] = {
      {0, from_hex("00")},           {127, from_hex("7f")},
      {128, from_hex("80 01")},      {16383, from_hex("ff 7f")},
      {16384, from_hex("80 80 01")}, {2097151, from_hex("ff ff 7f")},
      {2097152, from_hex("80 80 80 01")}, {268435455, from_hex("ff ff ff 7f")},
  };
  for (const auto& c : cases) {
    CAPTURE(c.value);
    std::string out;
    put_varint(out, c.value);
    CHECK(out == c.bytes);
    CHECK(varint_size(c.value) == c.bytes.size());
    SizeCounter counter;
    counter.varint(c.value);
    CHECK(counter.size() == c.bytes.size());
    const std::optional<Varint> read = read_varint(c.bytes + "tail");
    REQUIRE(read);
    CHECK(read->value == c.value);
    CHECK(read->size == c.bytes.size());
    CHECK_FALSE(read_varint(std::string_view(c.bytes).substr(0, c.bytes.size() - 1)));
  }
  std::string out;
  CHECK_THROWS_AS(put_varint(out, 268435456), CodecError);
  CHECK(out.empty());
}

TEST_CASE("a variable byte integer of five bytes or in a longer form than needed is malformed") {
  CHECK_THROWS_AS(read_varint(from_hex("ff ff ff ff 01")), CodecError);
  CHECK_THROWS_AS(read_varint(from_hex("ff ff ff ff")), CodecError);
  CHECK_THROWS_AS(read_varint(from_hex("80 00")), CodecError);
  CHECK_THROWS_AS(read_varint(from_hex("ff 80 00")), CodecError);
}

TEST_CASE("strings carry a 2-byte length and stop at 65,535 bytes") {
  std::string out;
  put_string(out, "a\0b"s);
  CHECK(out == "\x00\x03" "a\0b"s);
  const std::string longest(65535, 's');
  out.clear();
  put_string(out, longest);
  CHECK(out.size() == 65537);
  CHECK(out.substr(0, 2) == "\xff\xff");
  out.clear();
  CHECK_THROWS_AS(put_string(out, longest + "s"), CodecError);
  SizeCounter counter;
  CHECK_THROWS_AS(counter.string(longest + "s"), CodecError);
}

TEST_CASE("BodyReader reads big-endian fields and refuses to read past the end") {
  const std::string fields = from_hex("01 02 03 04 05 06 07 00 02 68 69 80 01");
  BodyReader reader(fields);
  CHECK(reader.u8() == 0x01);
  CHECK(reader.u16() == 0x0203);
  CHECK(reader.u32() == 0x04050607u);
  CHECK(reader.string() == "hi");
  CHECK(reader.varint() == 128);
  CHECK(reader.empty());
  CHECK_NOTHROW(reader.expect_end("TEST"));
  CHECK_THROWS_AS(reader.u8(), CodecError);

  const std::string short_string = from_hex("00 05 61 62");
  CHECK_THROWS_AS(BodyReader(short_string).string(), CodecError);
  const std::string cut_varint = from_hex("80");
  CHECK_THROWS_AS(BodyReader(cut_varint).varint(), CodecError);
  const std::string left_over = from_hex("00");
  CHECK_THROWS_AS(BodyReader(left_over).expect_end("TEST"), CodecError);
}

TEST_CASE("append_packet announces the remaining length its body takes") {
  std::string out = "kept";
  append_packet(out, 0x30, [](auto& sink) {
    sink.string("t");
    sink.u16(7);
    sink.varint(300);
    sink.bytes(std::string(200, 'x'));
  });
  CHECK(out.substr(0, 4) == "kept");
  const std::optional<FramedPacket> framed = next_packet(std::string_view(out).substr(4));
  REQUIRE(framed);
  CHECK(framed->size == out.size() - 4);
  CHECK(framed->packet.body.size() == 3 + 2 + 2 + 200);
  CHECK(out.substr(4, 3) == from_hex("30 cf 01"));
}

TEST_CASE("append_packet leaves the buffer as it was when the body cannot be encoded") {
  std::string out = "kept";
  CHECK_THROWS_AS(append_packet(out, 0x30, [](auto& sink) {
                    sink.string("fine");
                    sink.string(std::string(65536, 'x'));
                  }),
                  CodecError);
  CHECK(out == "kept");
}

TEST_CASE("next_packet waits for a whole packet, then frames it with its type and flags") {
  const std::string stream = from_hex("62 02 00 05 d0 00");
  for (std::size_t cut = 0; cut < 4; ++cut)
    CHECK_FALSE(next_packet(std::string_view(stream).substr(0, cut)));
  const std::optional<FramedPacket> first = next_packet(stream);
  REQUIRE(first);
  CHECK(first->size == 4);
  CHECK(first->packet.type == PacketType::pubrel);
  CHECK(first->packet.flags == 0x02);
  CHECK(first->packet.body == from_hex("00 05"));
  const PacketView second = only_packet(std::string_view(stream).substr(first->size));
  CHECK(second.type == PacketType::pingresp);
  CHECK(second.body.empty());
}

TEST_CASE("next_packet refuses a malformed length, packet type 0 and a packet over the limit") {
  CHECK_THROWS_AS(next_packet(from_hex("30 ff ff ff ff 01")), CodecError);
  CHECK_THROWS_AS(next_packet(from_hex("00 00")), CodecError);
  try {
    next_packet(from_hex("30 05 00 01 74 00 00"), 6);
    FAIL("a 7-byte packet passed a 6-byte limit");
  } catch (const CodecError& error) {
    CHECK(error.reason_code() == reason_packet_too_large);
  }
  // Refused from its header alone: the limit holds before the body has arrived.
  CHECK_THROWS_AS(next_packet(from_hex("30 ff 7f"), 1024), CodecError);
}

TEST_SUITE_END();

}  // namespace mqtk::detail::wire
