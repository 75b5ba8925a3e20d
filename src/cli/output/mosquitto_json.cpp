#include "cli/output/mosquitto_json.hpp"

#include <charconv>

#include "cli/output/encoding.hpp"
#include "cli/output/json_check.hpp"
#include "cli/output/json_text.hpp"

namespace mqtk::cli {
namespace {

using namespace std::string_view_literals;

void append_tst(std::string& out, const LocalTime& time) {
  out.push_back('"');
  append_strftime(out, "%Y-%m-%dT%H:%M:%S.", time.calendar);
  append_zero_padded(out, static_cast<std::uint64_t>(time.nanoseconds / 1000), 6);
  out.push_back('Z');
  append_strftime(out, "%z", time.calendar);
  out.push_back('"');
}

void append_mosquitto_properties(std::string& out, const MessageProperties& properties) {
  char separator = '{';
  const auto key = [&](std::string_view name) {
    out.push_back(separator);
    separator = ',';
    out.push_back('"');
    out.append(name);
    out.append("\":");
  };
  if (properties.payload_format_indicator) {
    key("payload-format-indicator");
    append_integer(out, unsigned{*properties.payload_format_indicator});
  }
  if (properties.message_expiry_interval) {
    key("message-expiry-interval");
    append_integer(out, *properties.message_expiry_interval);
  }
  if (properties.topic_alias) {
    key("topic-alias");
    append_integer(out, unsigned{*properties.topic_alias});
  }
  if (properties.response_topic) {
    key("response-topic");
    append_json_string(out, *properties.response_topic);
  }
  if (properties.correlation_data) {
    key("correlation-data");
    if (!try_append_json_string(out, *properties.correlation_data)) {
      out.push_back('"');
      append_base64(out, *properties.correlation_data);
      out.append("\",\"correlation-data-encoding\":\"base64\"");
    }
  }
  if (!properties.user_properties.empty()) {
    key("user-properties");
    char pair_separator = '{';
    for (const auto& [name, value] : properties.user_properties) {
      out.push_back(pair_separator);
      pair_separator = ',';
      append_json_string(out, name);
      out.push_back(':');
      append_json_string(out, value);
    }
    out.push_back('}');
  }
  for (const std::uint32_t id : properties.subscription_identifiers) {
    key("subscription-identifier");
    append_integer(out, id);
  }
  if (properties.content_type) {
    key("content-type");
    append_json_string(out, *properties.content_type);
  }
  out.push_back('}');
}

void append_payload(std::string& out, std::string_view payload, JsonPayloadStyle style) {
  if (payload.empty()) {
    out.append("\"payload\":null");
    return;
  }
  if (style == JsonPayloadStyle::embedded && is_json(payload)) {
    out.append("\"payload\":");
    append_minified_json(out, payload);
    return;
  }
  const std::size_t start = out.size();
  if (style == JsonPayloadStyle::embedded) out.append("\"payload_encoding\":\"utf8\","sv);
  out.append("\"payload\":"sv);
  if (try_append_json_string(out, payload)) return;
  out.resize(start);
  out.append("\"payload_encoding\":\"base64\",\"payload\":\""sv);
  append_base64(out, payload);
  out.push_back('"');
}

}  // namespace

void append_mosquitto_json(std::string& out, const Message& message, const LocalTime& time,
                           JsonPayloadStyle style) {
  out.append("{\"tst\":");
  append_tst(out, time);
  out.append(",\"topic\":");
  append_json_string(out, message.topic);
  out.append(",\"qos\":");
  append_integer(out, message.qos);
  out.append(message.retain ? ",\"retain\":1" : ",\"retain\":0");
  out.append(",\"payloadlen\":");
  append_integer(out, message.payload.size());
  out.push_back(',');
  if (!message.properties.empty()) {
    out.append("\"properties\":");
    append_mosquitto_properties(out, message.properties);
    out.push_back(',');
  }
  append_payload(out, message.payload, style);
  out.push_back('}');
}

}  // namespace mqtk::cli
