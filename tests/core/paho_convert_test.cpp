// The connect-failure messages built from what paho reports (src/core/paho_convert).

#include <doctest/doctest.h>

#include <string>

#include "core/paho_convert.hpp"

using mqtk::ProtocolVersion;
using mqtk::detail::describe_connect_failure;

TEST_CASE("an MQTT 5 CONNECT refused with a 3.1.1 CONNACK names the v5 reason too") {
  // aedes answers an MQTT 5 CONNECT with the 3.1.1 CONNACK "unacceptable protocol version" (1),
  // which paho passes on as return code 1 (mosquitto answers in v5 with 0x84).
  const std::string text =
      describe_connect_failure(1, 0, ProtocolVersion::v5, "mqtt://127.0.0.1:1883", "", "");
  CHECK(text ==
        "could not connect to mqtt://127.0.0.1:1883: connection refused by broker: unsupported "
        "protocol version (CONNACK 1, reason 0x84 in MQTT 5); the broker speaks only MQTT 3.1.1 "
        "or older");
  CHECK(describe_connect_failure(5, 0, ProtocolVersion::v5, "mqtt://h", "", "") ==
        "could not connect to mqtt://h: connection refused by broker: not authorized (CONNACK 5, "
        "reason 0x87 in MQTT 5)");
}

TEST_CASE("refusals in the client's own protocol version keep their own codes") {
  CHECK(describe_connect_failure(1, 0, ProtocolVersion::v311, "mqtt://h", "", "") ==
        "could not connect to mqtt://h: connection refused by broker: unacceptable protocol "
        "version (CONNACK 1)");
  CHECK(describe_connect_failure(0x87, 0, ProtocolVersion::v5, "mqtt://h", "", "") ==
        "could not connect to mqtt://h: connection refused by broker: not authorized "
        "(reason 0x87)");
}

// paho.mqtt.c 1.3.11 writes four-byte integers with signed division: a value above INT32_MAX
// reached the wire mangled (0xFFFFFFFF as 00 00 00 ff, so a persistent v5 session expired after
// 255 s). Session expiry, message expiry, maximum packet size and will delay all go through this
// clamp (the CONNECT bytes were checked on a raw capture: 7fffffff). Checked on the value rather
// than on paho's property objects, which LeakSanitizer reports as leaking inside libpaho.
TEST_CASE("four-byte property values above INT32_MAX are clamped to what paho can send") {
  using mqtk::detail::paho_four_byte_value;
  CHECK(paho_four_byte_value(0) == 0);
  CHECK(paho_four_byte_value(300) == 300);
  CHECK(paho_four_byte_value(2147483647U) == 2147483647);
  CHECK(paho_four_byte_value(2147483648U) == 2147483647);
  CHECK(paho_four_byte_value(4294967295U) == 2147483647);
}
