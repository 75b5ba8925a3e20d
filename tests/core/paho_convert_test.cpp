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
// 255 s). The conversion clamps to INT32_MAX (68 years) instead.
TEST_CASE("four-byte properties above INT32_MAX are clamped to what paho can send") {
  constexpr std::uint32_t int32_max = 2147483647U;
  mqtk::ClientOptions options;
  options.version = ProtocolVersion::v5;
  options.clean_session = false;
  options.client_id = "id";
  options.connect_properties.maximum_packet_size = 4'000'000'000U;
  const mqtt::connect_options connect = mqtk::detail::make_connect_options(options, "");
  const mqtt::properties& props = connect.get_properties();
  CHECK(mqtt::get<std::uint32_t>(props, mqtt::property::SESSION_EXPIRY_INTERVAL) == int32_max);
  CHECK(mqtt::get<std::uint32_t>(props, mqtt::property::MAXIMUM_PACKET_SIZE) == int32_max);

  mqtk::MessageProperties message;
  message.message_expiry_interval = 3'000'000'000U;
  CHECK(mqtt::get<std::uint32_t>(mqtk::detail::to_paho_properties(message),
                                 mqtt::property::MESSAGE_EXPIRY_INTERVAL) == int32_max);
  message.message_expiry_interval = 300U;
  CHECK(mqtt::get<std::uint32_t>(mqtk::detail::to_paho_properties(message),
                                 mqtt::property::MESSAGE_EXPIRY_INTERVAL) == 300U);
}
