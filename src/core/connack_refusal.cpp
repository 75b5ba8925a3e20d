#include "core/connack_refusal.hpp"

#include <cstdio>

#include <mqtk/reason_code.hpp>

namespace mqtk::detail {

std::string describe_connack_refusal(ProtocolVersion version, int code) {
  const std::string refused = "connection refused by broker: ";
  if (version == ProtocolVersion::v5 && code >= 0x80) return refused + describe_reason_code(code);
  if (code < 1 || code > 5) return {};
  if (version != ProtocolVersion::v5) return refused + describe_connack_v3(code);
  // A broker that speaks only 3.1.1 (aedes) answers an MQTT 5 CONNECT with a 3.1.1 CONNACK
  // (spec 3.1.1, 3.1.2.2: return code 1); mosquitto answers in v5 (0x84). Name the v5 reason
  // too, since that is what the user asked for.
  constexpr int v5_equivalent[] = {0, 0x84, 0x85, 0x88, 0x86, 0x87};
  const int reason = v5_equivalent[code];
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(reason));
  std::string text = refused + reason_code_name(reason) + " (CONNACK " + std::to_string(code) +
                     ", reason " + hex + " in MQTT 5)";
  if (code == 1) text += "; the broker speaks only MQTT 3.1.1 or older";
  return text;
}

std::string describe_any_connack_refusal(ProtocolVersion version, int code) {
  if (std::string refusal = describe_connack_refusal(version, code); !refusal.empty()) return refusal;
  return "connection refused by broker: " +
         (version == ProtocolVersion::v5 ? describe_reason_code(code) : describe_connack_v3(code));
}

}  // namespace mqtk::detail
