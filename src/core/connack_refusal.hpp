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

}  // namespace mqtk::detail
