// Reason code names: the v5 table (spec 2.4), the "name (reason 0xNN)" form users see, and the
// v3 CONNACK return codes. Unit tests: no network.

#include <mqtk/reason_code.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>

using mqtk::describe_connack_v3;
using mqtk::describe_reason_code;
using mqtk::reason_code_name;

TEST_CASE("the reason codes users meet most have their spec names") {
  CHECK(reason_code_name(0x00) == "success");
  CHECK(reason_code_name(0x10) == "no matching subscribers");
  CHECK(reason_code_name(0x80) == "unspecified error");
  CHECK(reason_code_name(0x84) == "unsupported protocol version");
  CHECK(reason_code_name(0x85) == "client identifier not valid");
  CHECK(reason_code_name(0x86) == "bad user name or password");
  CHECK(reason_code_name(0x87) == "not authorized");
  CHECK(reason_code_name(0x8B) == "server shutting down");
  CHECK(reason_code_name(0x8E) == "session taken over");
  CHECK(reason_code_name(0x95) == "packet too large");
  CHECK(reason_code_name(0x97) == "quota exceeded");
  CHECK(reason_code_name(0x9F) == "connection rate exceeded");
  CHECK(reason_code_name(0xA2) == "wildcard subscriptions not supported");
}

TEST_CASE("every failure code 0x80..0xA2 has a distinct name of its own") {
  // 0x80..0xA2 is contiguous in the v5 spec: no gaps.
  std::set<std::string> names;
  for (int code = 0x80; code <= 0xA2; ++code) {
    CAPTURE(code);
    const std::string name = reason_code_name(code);
    CHECK_FALSE(name.starts_with("reason 0x"));
    names.insert(name);
  }
  CHECK(names.size() == 0xA2 - 0x80 + 1);
}

TEST_CASE("unknown codes fall back to their number, in two upper-case hex digits") {
  CHECK(reason_code_name(0x03) == "reason 0x03");
  CHECK(reason_code_name(0xA3) == "reason 0xA3");
  CHECK(reason_code_name(0xFF) == "reason 0xFF");
  // Only the low byte is an MQTT reason code; nothing wider leaks into the text.
  CHECK(reason_code_name(-1) == "reason 0xFF");
  CHECK(describe_reason_code(0xA3) == "reason 0xA3");
}

TEST_CASE("describe_reason_code appends the code to the name") {
  CHECK(describe_reason_code(0x87) == "not authorized (reason 0x87)");
  CHECK(describe_reason_code(0x00) == "success (reason 0x00)");
  CHECK(describe_reason_code(0x95) == "packet too large (reason 0x95)");
  CHECK(describe_reason_code(0x8e) == "session taken over (reason 0x8E)");
}

TEST_CASE("describe_connack_v3 names return codes 1..5 and says CONNACK n") {
  CHECK(describe_connack_v3(1) == "unacceptable protocol version (CONNACK 1)");
  CHECK(describe_connack_v3(2) == "identifier rejected (CONNACK 2)");
  CHECK(describe_connack_v3(3) == "server unavailable (CONNACK 3)");
  CHECK(describe_connack_v3(4) == "bad user name or password (CONNACK 4)");
  CHECK(describe_connack_v3(5) == "not authorized (CONNACK 5)");
  CHECK(describe_connack_v3(9) == "unknown refusal (CONNACK 9)");
}
