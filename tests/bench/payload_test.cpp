// The bench payload header: byte layout, round trip, no writes past the header or into a too
// short buffer, refusal of foreign payloads, and the latency arithmetic.

#include "bench/payload.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>

using mqtk::bench::decode;
using mqtk::bench::encode_into;
using mqtk::bench::kPayloadHeaderSize;
using mqtk::bench::PayloadHeader;

TEST_CASE("a header round-trips and leaves the filler untouched") {
  std::string buffer(64, 'x');
  PayloadHeader header{0x0102030405060708ull, 42, 1'764'158'400'123'456'789};
  REQUIRE(encode_into(buffer, header));
  CHECK(buffer.substr(0, 4) == "mqtb");
  CHECK(buffer[4] == 1);
  CHECK(buffer[8] == 0x08);  // little-endian publisher id
  CHECK(buffer[15] == 0x01);
  CHECK(buffer[16] == 42);
  CHECK(buffer.substr(kPayloadHeaderSize) == std::string(64 - kPayloadHeaderSize, 'x'));
  auto decoded = decode(buffer);
  REQUIRE(decoded);
  CHECK(*decoded == header);

  // Reusing the buffer for the next message only rewrites the header.
  header.sequence = 43;
  REQUIRE(encode_into(buffer, header));
  CHECK(decode(buffer)->sequence == 43);
  CHECK(decode(std::string_view(buffer).substr(0, kPayloadHeaderSize)) == header);
}

TEST_CASE("a buffer shorter than the header is refused and left as it was") {
  std::string buffer(kPayloadHeaderSize - 1, 'x');
  CHECK_FALSE(encode_into(buffer, PayloadHeader{1, 2, 3}));
  CHECK(buffer == std::string(kPayloadHeaderSize - 1, 'x'));
}

TEST_CASE("payloads that are not bench payloads decode to nothing") {
  std::string buffer(kPayloadHeaderSize, '\0');
  REQUIRE(encode_into(buffer, PayloadHeader{1, 2, 3}));
  CHECK_FALSE(decode(std::string_view(buffer).substr(0, kPayloadHeaderSize - 1)));
  std::string other_magic = buffer;
  other_magic[0] = 'M';
  CHECK_FALSE(decode(other_magic));
  std::string other_version = buffer;
  other_version[4] = 2;
  CHECK_FALSE(decode(other_version));
  CHECK_FALSE(decode("hello world, this is not a bench payload"));
}

TEST_CASE("latency is the realtime difference in whole microseconds, never negative") {
  PayloadHeader header{1, 0, 1'000'000'000};
  CHECK(mqtk::bench::latency_us(header, 1'000'000'000 + 2'500'999) == 2500);
  CHECK(mqtk::bench::latency_us(header, 999'000'000) == 0);  // receiver's clock behind
  PayloadHeader ancient{1, 0, INT64_MIN};  // corrupt: must not overflow
  CHECK(mqtk::bench::latency_us(ancient, INT64_MAX) == UINT64_MAX / 1000);
  auto system_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  CHECK(std::abs(mqtk::bench::realtime_ns() - system_ns) < 1'000'000'000);
}
