#include "cli/property_flags.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <string_view>

#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

struct PropertyRule {
  std::string_view name;
  std::string_view commands;  // space separated commands that may carry it
};

// Which packets may carry which property (MQTT 5.0 table 2-4), for the ones users set.
constexpr std::array<PropertyRule, 14> rules{{
    {"payload-format-indicator", "publish will"},
    {"message-expiry-interval", "publish will"},
    {"content-type", "publish will"},
    {"response-topic", "publish will"},
    {"correlation-data", "publish will"},
    {"subscription-identifier", "subscribe"},
    {"session-expiry-interval", "connect disconnect"},
    {"request-problem-information", "connect"},
    {"request-response-information", "connect"},
    {"will-delay-interval", "will"},
    {"receive-maximum", "connect"},
    {"topic-alias-maximum", "connect"},
    {"topic-alias", "publish"},
    {"maximum-packet-size", "connect"},
}};

bool lists(std::string_view words, std::string_view word) {
  std::size_t start = 0;
  while (start <= words.size()) {
    const auto end = std::min(words.find(' ', start), words.size());
    if (words.substr(start, end - start) == word) return true;
    start = end + 1;
  }
  return false;
}

std::uint32_t number(std::string_view text, std::uint64_t max, const std::string& context) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max)
    throw UsageError(context + ": value '" + std::string(text) + "' must be a number from 0 to " +
                     std::to_string(max));
  return static_cast<std::uint32_t>(value);
}

}  // namespace

PropertyFlags parse_property_flags(const std::vector<std::string>& tokens) {
  PropertyFlags out;
  static constexpr std::array<std::string_view, 7> commands{
      "connect", "publish", "subscribe", "unsubscribe", "disconnect", "will", "auth"};
  std::size_t i = 0;
  while (i < tokens.size()) {
    out.empty = false;
    const std::string& command = tokens[i];
    if (std::find(commands.begin(), commands.end(), command) == commands.end())
      throw UsageError("-D " + command + ": unknown command '" + command +
                       "' (expected connect, publish, subscribe, unsubscribe, disconnect or will)");
    if (i + 1 >= tokens.size()) throw UsageError("-D " + command + ": missing property name");
    const std::string& name = tokens[i + 1];
    const std::string context = "-D " + command + " " + name;
    if (name == "user-property") {
      if (i + 3 >= tokens.size()) throw UsageError(context + ": needs a key and a value");
      std::pair<std::string, std::string> kv{tokens[i + 2], tokens[i + 3]};
      if (command == "connect") out.connect.user_properties.push_back(kv);
      else if (command == "publish") out.publish.user_properties.push_back(kv);
      else if (command == "will") out.will.user_properties.push_back(kv);
      else if (command == "subscribe") out.subscribe.user_properties.push_back(kv);
      else if (command == "unsubscribe") out.unsubscribe_user_properties.push_back(kv);
      else if (command == "disconnect") out.disconnect_user_properties.push_back(kv);
      else throw UsageError(context + ": not allowed for " + command);
      i += 4;
      continue;
    }
    const auto rule = std::find_if(rules.begin(), rules.end(),
                                   [&](const PropertyRule& r) { return r.name == name; });
    if (rule == rules.end()) throw UsageError(context + ": unknown or read-only property '" + name + "'");
    if (!lists(rule->commands, command)) throw UsageError(context + ": not allowed for " + command);
    if (i + 2 >= tokens.size()) throw UsageError(context + ": missing value");
    const std::string& value = tokens[i + 2];
    i += 3;
    MessageProperties& message = command == "will" ? out.will : out.publish;
    constexpr auto u32 = std::numeric_limits<std::uint32_t>::max();
    if (name == "payload-format-indicator") message.payload_format_indicator = static_cast<std::uint8_t>(number(value, 1, context));
    else if (name == "message-expiry-interval") message.message_expiry_interval = number(value, u32, context);
    else if (name == "content-type") message.content_type = value;
    else if (name == "response-topic") message.response_topic = value;
    else if (name == "correlation-data") message.correlation_data = value;
    else if (name == "topic-alias") message.topic_alias = static_cast<std::uint16_t>(number(value, 65535, context));
    else if (name == "subscription-identifier") out.subscribe.subscription_identifier = number(value, 268435455, context);
    else if (name == "session-expiry-interval") out.session_expiry_interval = number(value, u32, context);
    else if (name == "request-problem-information") out.connect.request_problem_information = number(value, 1, context) != 0;
    else if (name == "request-response-information") out.connect.request_response_information = number(value, 1, context) != 0;
    else if (name == "will-delay-interval") out.will_delay_interval = number(value, u32, context);
    else if (name == "receive-maximum") out.connect.receive_maximum = static_cast<std::uint16_t>(number(value, 65535, context));
    else if (name == "topic-alias-maximum") out.connect.topic_alias_maximum = static_cast<std::uint16_t>(number(value, 65535, context));
    else if (name == "maximum-packet-size") out.connect.maximum_packet_size = number(value, u32, context);
  }
  if (out.subscribe.subscription_identifier && *out.subscribe.subscription_identifier == 0)
    throw UsageError("-D subscribe subscription-identifier: must be 1 or more");
  return out;
}

}  // namespace mqtk::cli
