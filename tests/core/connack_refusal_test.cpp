// The words for a CONNACK refusal (src/core/connack_refusal), shared by the core client and the
// one-shot `mqtk pub` direct path.

#include <doctest/doctest.h>

#include "core/connack_refusal.hpp"

using mqtk::ProtocolVersion;
using mqtk::detail::describe_connack_refusal;

TEST_CASE("v5 reason codes and v3 return codes are named in the version asked for") {
  CHECK(describe_connack_refusal(ProtocolVersion::v5, 0x86) ==
        "connection refused by broker: bad user name or password (reason 0x86)");
  CHECK(describe_connack_refusal(ProtocolVersion::v311, 5) ==
        "connection refused by broker: not authorized (CONNACK 5)");
  CHECK(describe_connack_refusal(ProtocolVersion::v31, 2) ==
        "connection refused by broker: identifier rejected (CONNACK 2)");
  // A 3.1.1-only broker answers an MQTT 5 CONNECT with a 3.1.1 return code.
  CHECK(describe_connack_refusal(ProtocolVersion::v5, 4) ==
        "connection refused by broker: bad user name or password (CONNACK 4, reason 0x86 in MQTT 5)");
}

TEST_CASE("codes that are not a refusal it can name give nothing") {
  CHECK(describe_connack_refusal(ProtocolVersion::v311, 0).empty());
  CHECK(describe_connack_refusal(ProtocolVersion::v311, 0x87).empty());
  CHECK(describe_connack_refusal(ProtocolVersion::v5, 0x10).empty());
  CHECK(describe_connack_refusal(ProtocolVersion::v5, -1).empty());
}
