#include "cli/output/json_format.hpp"

#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/output/encoding.hpp"
#include "cli/output/json_check.hpp"
#include "cli/output/json_text.hpp"
#include "cli/output/timestamp.hpp"
#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

using namespace std::string_view_literals;

// ordered_json keeps a payload object's members in written order, so dump() reproduces it.
using Json = nlohmann::ordered_json;

// Room for the record's own nesting (object, properties, user_properties pairs) on top of the
// deepest payload the writer embeds.
constexpr std::size_t max_line_depth = max_embedded_json_depth + 4;

constexpr std::uint64_t max_subscription_identifier = 268'435'455;  // variable byte integer

// Writes `bytes` as a JSON string, in base64 when they are not UTF-8; returns whether base64.
bool append_bytes_field(std::string& out, std::string_view bytes) {
  if (try_append_json_string(out, bytes)) return false;
  out.push_back('"');
  append_base64(out, bytes);
  out.push_back('"');
  return true;
}

void append_properties(std::string& out, const MessageProperties& properties) {
  char separator = '{';
  const auto key = [&](std::string_view name) {
    out.push_back(separator);
    separator = ',';
    out.push_back('"');
    out.append(name);
    out.append("\":");
  };
  if (properties.payload_format_indicator) {
    key("payload_format_indicator");
    append_integer(out, unsigned{*properties.payload_format_indicator});
  }
  if (properties.message_expiry_interval) {
    key("message_expiry_interval");
    append_integer(out, *properties.message_expiry_interval);
  }
  if (properties.topic_alias) {
    key("topic_alias");
    append_integer(out, unsigned{*properties.topic_alias});
  }
  if (properties.response_topic) {
    key("response_topic");
    append_json_string(out, *properties.response_topic);
  }
  if (properties.correlation_data) {
    key("correlation_data");
    if (append_bytes_field(out, *properties.correlation_data)) {
      key("correlation_data_encoding");
      out.append("\"base64\"");
    }
  }
  if (!properties.user_properties.empty()) {
    key("user_properties");
    char pair_separator = '[';
    for (const auto& [name, value] : properties.user_properties) {
      out.push_back(pair_separator);
      pair_separator = ',';
      out.push_back('[');
      append_json_string(out, name);
      out.push_back(',');
      append_json_string(out, value);
      out.push_back(']');
    }
    out.push_back(']');
  }
  if (!properties.subscription_identifiers.empty()) {
    key("subscription_identifiers");
    char id_separator = '[';
    for (const std::uint32_t id : properties.subscription_identifiers) {
      out.push_back(id_separator);
      id_separator = ',';
      append_integer(out, id);
    }
    out.push_back(']');
  }
  if (properties.content_type) {
    key("content_type");
    append_json_string(out, *properties.content_type);
  }
  out.push_back('}');
}

// --- reading ---

[[noreturn]] void fail_field(std::string_view field, std::string_view requirement) {
  throw UsageError("field '" + std::string(field) + "' " + std::string(requirement));
}

std::optional<std::uint64_t> as_unsigned(const Json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  return std::nullopt;
}

std::uint64_t read_unsigned(const Json& value, std::string_view field, std::uint64_t min,
                            std::uint64_t max) {
  const auto number = as_unsigned(value);
  if (!number || *number < min || *number > max) {
    fail_field(field,
               "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return *number;
}

const std::string& read_string(const Json& value, std::string_view field) {
  if (!value.is_string()) fail_field(field, "must be a string");
  return value.get_ref<const std::string&>();
}

std::string decode_base64_field(const std::string& text, std::string_view field) {
  auto bytes = decode_base64(text);
  if (!bytes) fail_field(field, "is not valid base64");
  return std::move(*bytes);
}

std::string read_payload(const Json& payload, const Json* encoding) {
  const std::string_view form = encoding
                                    ? std::string_view(read_string(*encoding, "payload_encoding"))
                                    : (payload.is_string() ? "utf8" : "json");
  if (form == "json") return payload.dump();
  if (form == "utf8") return read_string(payload, "payload");
  if (form == "base64") return decode_base64_field(read_string(payload, "payload"), "payload");
  fail_field("payload_encoding", "must be json, utf8 or base64");
}

std::vector<std::pair<std::string, std::string>> read_user_properties(const Json& value) {
  constexpr std::string_view field = "properties.user_properties";
  constexpr std::string_view requirement = "must be an array of [key, value] string pairs";
  if (!value.is_array()) fail_field(field, requirement);
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(value.size());
  for (const Json& pair : value) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      fail_field(field, requirement);
    }
    pairs.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  }
  return pairs;
}

std::vector<std::uint32_t> read_subscription_identifiers(const Json& value) {
  constexpr std::string_view field = "properties.subscription_identifiers";
  if (!value.is_array()) fail_field(field, "must be an array of integers");
  std::vector<std::uint32_t> ids;
  ids.reserve(value.size());
  for (const Json& id : value) {
    ids.push_back(
        static_cast<std::uint32_t>(read_unsigned(id, field, 1, max_subscription_identifier)));
  }
  return ids;
}

template <typename Unsigned>
std::optional<Unsigned> read_optional_unsigned(const Json& value, std::string_view field,
                                               std::uint64_t min, std::uint64_t max) {
  if (value.is_null()) return std::nullopt;
  return static_cast<Unsigned>(read_unsigned(value, field, min, max));
}

std::optional<std::string> read_optional_string(const Json& value, std::string_view field) {
  if (value.is_null()) return std::nullopt;
  return read_string(value, field);
}

// Correlation data comes as text plus an optional sibling that says how it is encoded.
std::optional<std::string> read_correlation_data(const Json& data, const Json* encoding) {
  const bool has_encoding = encoding && !encoding->is_null();
  if (data.is_null()) {
    if (has_encoding) {
      fail_field("properties.correlation_data_encoding", "needs 'properties.correlation_data'");
    }
    return std::nullopt;
  }
  const std::string& text = read_string(data, "properties.correlation_data");
  const std::string_view form =
      has_encoding
          ? std::string_view(read_string(*encoding, "properties.correlation_data_encoding"))
          : "utf8";
  if (form == "utf8") return text;
  if (form == "base64") return decode_base64_field(text, "properties.correlation_data");
  fail_field("properties.correlation_data_encoding", "must be utf8 or base64");
}

void read_properties(const Json& object, MessageProperties& properties) {
  if (!object.is_object()) fail_field("properties", "must be an object");
  const Json* correlation_data = nullptr;
  const Json* correlation_encoding = nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& name = it.key();
    const Json& value = it.value();
    const std::string field = "properties." + name;
    if (name == "payload_format_indicator") {
      properties.payload_format_indicator =
          read_optional_unsigned<std::uint8_t>(value, field, 0, 1);
    } else if (name == "message_expiry_interval") {
      properties.message_expiry_interval =
          read_optional_unsigned<std::uint32_t>(value, field, 0, UINT32_MAX);
    } else if (name == "topic_alias") {
      properties.topic_alias = read_optional_unsigned<std::uint16_t>(value, field, 1, UINT16_MAX);
    } else if (name == "response_topic") {
      properties.response_topic = read_optional_string(value, field);
    } else if (name == "correlation_data") {
      correlation_data = &value;
    } else if (name == "correlation_data_encoding") {
      correlation_encoding = &value;
    } else if (name == "user_properties") {
      properties.user_properties =
          value.is_null() ? decltype(properties.user_properties){} : read_user_properties(value);
    } else if (name == "subscription_identifiers") {
      properties.subscription_identifiers =
          value.is_null() ? std::vector<std::uint32_t>{} : read_subscription_identifiers(value);
    } else if (name == "content_type") {
      properties.content_type = read_optional_string(value, field);
    } else {
      throw UsageError("unknown field '" + field + "'");
    }
  }
  if (correlation_data) {
    properties.correlation_data = read_correlation_data(*correlation_data, correlation_encoding);
  } else if (correlation_encoding && !correlation_encoding->is_null()) {
    fail_field("properties.correlation_data_encoding", "needs 'properties.correlation_data'");
  }
}

bool read_retain(const Json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (const auto number = as_unsigned(value); number && *number <= 1) return *number == 1;
  fail_field("retain", "must be true or false");
}

std::string parse_error_text(const nlohmann::json::exception& error) {
  // Drop nlohmann's "[json.exception.parse_error.101] " prefix; keep "parse error at ...".
  const std::string_view text = error.what();
  const std::size_t prefix_end = text.find("] ");
  return std::string(prefix_end == std::string_view::npos ? text : text.substr(prefix_end + 2));
}

}  // namespace

void append_json_line(std::string& out, const Message& message) {
  out.append("{\"topic\":"sv);
  append_json_string(out, message.topic);
  out.append(",\"payload\":"sv);
  std::string_view encoding = "json";
  bool needs_text = false;
  if (is_compact_json(message.payload)) {
    out.append(message.payload);
  } else if (is_json(message.payload)) {
    // Spliced as written, so jq sees the value and pub --jsonl can take the very bytes back;
    // text that would break the line (newlines) or be trimmed (outer whitespace) is minified
    // and the exact bytes travel in payload_text.
    const std::string_view p = message.payload;
    needs_text = p.find_first_of("\r\n") != std::string_view::npos ||
                 p.front() == ' ' || p.front() == '\t' || p.back() == ' ' || p.back() == '\t';
    if (needs_text) append_minified_json(out, p);
    else out.append(p);
  } else {
    encoding = append_bytes_field(out, message.payload) ? "base64" : "utf8";
  }
  out.append(",\"payload_encoding\":\""sv);
  out.append(encoding);
  if (needs_text) {
    out.append("\",\"payload_text\":"sv);
    append_json_string(out, message.payload);
    out.append(",\"qos\":"sv);
  } else {
    out.append("\",\"qos\":"sv);
  }
  append_integer(out, message.qos);
  out.append(message.retain ? ",\"retain\":true"sv : ",\"retain\":false"sv);
  if (message.received_at) {
    out.append(",\"received_at\":\"");
    append_utc_timestamp(out, *message.received_at);
    out.push_back('"');
  }
  if (!message.properties.empty()) {
    out.append(",\"properties\":");
    append_properties(out, message.properties);
  }
  out.push_back('}');
}

std::string to_json_line(const Message& message) {
  std::string line;
  append_json_line(line, message);
  return line;
}

Message from_json_line(std::string_view line, const Message& defaults) {
  if (json_nesting_depth(line) > max_line_depth) {
    throw UsageError("invalid JSON: nested deeper than " + std::to_string(max_line_depth) +
                     " levels");
  }
  Json record;
  try {
    record = Json::parse(line.begin(), line.end());
  } catch (const nlohmann::json::exception& error) {
    throw UsageError("invalid JSON: " + parse_error_text(error));
  }
  if (!record.is_object()) {
    throw UsageError(std::string("expected a JSON object, not ") + record.type_name());
  }
  Message message = defaults;
  if (const auto it = record.find("topic"); it != record.end()) {
    message.topic = read_string(*it, "topic");
  }
  const auto payload = record.find("payload");
  const auto encoding = record.find("payload_encoding");
  if (const auto text = record.find("payload_text"); text != record.end()) {
    message.payload = read_string(*text, "payload_text");
  } else if (payload != record.end()) {
    message.payload = read_payload(*payload, encoding != record.end() ? &*encoding : nullptr);
    // An embedded JSON payload is sent with the bytes of the line, not a re-serialisation.
    if (!payload->is_string() || (encoding != record.end() && *encoding == "json"))
      if (auto raw = raw_member_value(line, "payload")) message.payload = std::string(*raw);
  } else if (encoding != record.end()) {
    fail_field("payload_encoding", "needs a 'payload' field");
  }
  if (const auto it = record.find("qos"); it != record.end()) {
    const auto qos = as_unsigned(*it);
    if (!qos || *qos > 2) fail_field("qos", "must be 0, 1 or 2");
    message.qos = static_cast<int>(*qos);
  }
  if (const auto it = record.find("retain"); it != record.end()) {
    message.retain = read_retain(*it);
  }
  if (const auto it = record.find("received_at"); it != record.end()) {
    if (it->is_null()) {
      message.received_at.reset();
    } else {
      message.received_at = parse_rfc3339(read_string(*it, "received_at"), "received_at");
    }
  }
  if (const auto it = record.find("properties"); it != record.end() && !it->is_null()) {
    read_properties(*it, message.properties);
  }
  return message;
}

}  // namespace mqtk::cli
