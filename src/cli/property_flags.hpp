#pragma once
// mosquitto's -D/--property: `-D COMMAND IDENTIFIER VALUE` (user-property takes KEY VALUE).
// CLI11 hands us every -D token in one flat list; the identifier's arity splits it again.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <mqtk/client_options.hpp>
#include <mqtk/message.hpp>

namespace mqtk::cli {

struct SubscribeProperties {
  std::optional<std::uint32_t> subscription_identifier;
  std::vector<std::pair<std::string, std::string>> user_properties;
};

struct PropertyFlags {
  ConnectProperties connect;
  std::optional<std::uint32_t> session_expiry_interval;  // -D connect session-expiry-interval
  MessageProperties publish;
  MessageProperties will;
  std::optional<std::uint32_t> will_delay_interval;
  SubscribeProperties subscribe;
  std::vector<std::pair<std::string, std::string>> unsubscribe_user_properties;
  std::vector<std::pair<std::string, std::string>> disconnect_user_properties;
  bool empty = true;
};

// Throws UsageError: "-D publish content-typo x: unknown property 'content-typo'",
// "-D subscribe content-type: not allowed for subscribe", "-D ...: missing value".
PropertyFlags parse_property_flags(const std::vector<std::string>& tokens);

}  // namespace mqtk::cli
