#pragma once
// The JSON Lines record of `mqtk sub --json`, and its reader for `mqtk pub --jsonl`.
//
// One compact object per message, keys in this order (optional ones only when set):
//   {"topic":"a/b","payload":<value>,"payload_encoding":"json"|"utf8"|"base64","qos":0,
//    "retain":false,"received_at":"2026-11-21T10:00:00.123Z","properties":{...}}
//
// payload: the payload's own JSON text when is_compact_json() holds for it, i.e. when it is
//   JSON and nlohmann's compact dump() of the parsed value gives back the very same bytes
//   ("json"; bare 42, "text", true and null count); else the payload as a JSON string when it
//   is valid UTF-8 ("utf8"); else base64, standard alphabet, padded ("base64"). So `{"a":1}`
//   is embedded while `{"a": 1}` (space) becomes the string "{\"a\": 1}": embedding only what
//   dump() reproduces is what lets pub --jsonl replay a capture byte for byte.
// received_at: UTC, millisecond precision (finer digits are dropped; received_at is the only
//   field that does not round-trip exactly).
// properties (MQTT 5, in the order of the spec's PUBLISH property table):
//   "payload_format_indicator":1, "message_expiry_interval":60, "topic_alias":3,
//   "response_topic":"r", "correlation_data":"..." (UTF-8 text, or base64 plus a sibling
//   "correlation_data_encoding":"base64"), "user_properties":[["k","v"],...] (ordered, keys may
//   repeat), "subscription_identifiers":[1,2], "content_type":"text/plain".
//
// Reading (from_json_line) takes the same schema. Fields not in the line keep the value of
// `defaults` (property by property inside "properties"); null means unset for received_at and
// properties. Without "payload_encoding" a string payload is taken as UTF-8 text and any other
// JSON value as JSON, re-serialised compactly with dump(). "retain" also takes 0/1 (mosquitto's
// %j). Unknown top-level keys are ignored (metadata, e.g. mosquitto's "tst"); unknown keys in
// "properties" are errors, since that set is closed and a typo would publish something else.

#include <string>
#include <string_view>

#include "core/message.hpp"

namespace mqtk::cli {

// Appends the record for `message` to `out`, without a trailing newline.
void append_json_line(std::string& out, const Message& message);
std::string to_json_line(const Message& message);

// Parses one record. Throws UsageError with a message such as "field 'qos' must be 0, 1 or 2"
// or "invalid JSON: ..."; the caller adds the line number.
Message from_json_line(std::string_view line, const Message& defaults);

}  // namespace mqtk::cli
