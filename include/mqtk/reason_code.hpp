#pragma once
/// @file
/// Human names for MQTT reason codes (v5) and CONNACK return codes (v3.1/3.1.1), for the one-line
/// errors users see: "not authorized (CONNACK 5)", "packet too large (reason 0x95)".
/// Thread-safety: pure functions, safe from any thread.

#include <string>

namespace mqtk {

/// v5 reason code name, e.g. 0x87 -> "not authorized". Unknown codes give "reason 0xNN".
std::string reason_code_name(int reason_code);
/// "<name> (reason 0xNN)".
std::string describe_reason_code(int reason_code);
/// v3 CONNACK return code 1..5, e.g. 5 -> "not authorized (CONNACK 5)".
std::string describe_connack_v3(int return_code);

}  // namespace mqtk
