#pragma once
// Internal to the core: the words for a broker's CONNACK refusal, shared by the paho client
// (describe_connect_failure) and the one-shot `mqtk pub` direct path (src/cli/pub_direct.hpp),
// so a refusal reads the same whichever of them connected.

#include <string>

#include <mqtk/client_options.hpp>

namespace mqtk::detail {

// "connection refused by broker: not authorized (reason 0x87)" for a v5 reason code >= 0x80 or
// a v3 return code 1..5; empty for any other code (not a refusal this can name).
std::string describe_connack_refusal(ProtocolVersion version, int code);
// The same for any non-zero CONNACK code: codes the above cannot name read "connection refused
// by broker: " and the code's own description.
std::string describe_any_connack_refusal(ProtocolVersion version, int code);

// What paho.mqtt.c 1.3 reports when the connection closes, fails or brings something other than
// a CONNACK first; mqtk's own MQTT code (the engine, the one-shot pub) says the same.
inline constexpr const char* closed_before_connack = "MQTT error [-1]: TCP connect completion failure";

}  // namespace mqtk::detail
