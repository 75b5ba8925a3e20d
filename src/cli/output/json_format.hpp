#pragma once
// The JSON Lines record of `mqtk sub --json`, and its reader for `mqtk pub --jsonl`.
//
// One compact object per message, keys in this order (optional ones only when set):
//   {"topic":"a/b","payload":<value>,"payload_encoding":"json"|"utf8"|"base64","qos":0,
//    "retain":false,"received_at":"2026-11-21T10:00:00.123Z","properties":{...}}
//
// payload: every payload that is JSON is embedded as JSON ("json"; bare 42, "text", true and
//   null count), so `jq .payload.field` works whatever the publisher's formatting. It is spliced
//   in as written; only when that would break the line (a newline inside) or lose bytes (outer
//   whitespace) is it minified, and then "payload_text" carries the exact bytes as a string.
//   Else the payload is a JSON string when it is valid UTF-8 ("utf8"), else base64, standard
//   alphabet, padded ("base64"). Reading takes "payload_text" when present, else the embedded
//   value's exact text from the line: `pub --jsonl` replays a capture byte for byte.
// received_at: UTC, millisecond precision (finer digits are dropped; received_at is the only
//   field that does not round-trip exactly).
// properties (MQTT 5, in the order of the spec's PUBLISH property table):
//   "payload_format_indicator":1, "message_expiry_interval":60, "topic_alias":3,
//   "response_topic":"r", "correlation_data":"..." (UTF-8 text, or base64 plus a sibling
//   "correlation_data_encoding":"base64"), "user_properties":[["k","v"],...] (ordered, keys may
//   repeat), "subscription_identifiers":[1,2], "content_type":"text/plain".
// Strings MQTT requires to be UTF-8 (topic, content type, response topic, user properties)
// have invalid bytes replaced by U+FFFD, so every line is JSON; brokers do not forward such.
//
// Reading (from_json_line) takes the same schema. Fields not in the line keep the value of
// `defaults` (property by property inside "properties"); null means unset for received_at and
// properties. Without "payload_encoding" a string payload is taken as UTF-8 text and any other
// JSON value as JSON, re-serialised compactly with dump(). "retain" also takes 0/1 (mosquitto's
// %j). Unknown top-level keys are ignored (metadata, e.g. mosquitto's "tst"); unknown keys in
// "properties" are errors, since that set is closed and a typo would publish something else.

#include <string>
#include <string_view>

#include <mqtk/message.hpp>

namespace mqtk::cli {

// Appends the record for `message` to `out`, without a trailing newline.
void append_json_line(std::string& out, const Message& message);
std::string to_json_line(const Message& message);

// Parses one record. Throws UsageError with a message such as "field 'qos' must be 0, 1 or 2"
// or "invalid JSON: ..."; the caller adds the line number.
Message from_json_line(std::string_view line, const Message& defaults);

}  // namespace mqtk::cli
