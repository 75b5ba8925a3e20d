#pragma once
// JSON text tools for the writers in this folder: a string escaper and whitespace-only
// rewrites (minify, indent) that keep every token's text, so numbers are never re-formatted.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mqtk::cli {

// Appends `text` as a quoted JSON string. Escapes '"', '\' and C0 controls (\b \f \n \r \t,
// else \u00xx), copies everything else, including non-ASCII UTF-8, unchanged; this is the form
// nlohmann's dump() and cJSON produce. Invalid UTF-8 bytes become U+FFFD, so the output is
// always valid JSON.
void append_json_string(std::string& out, std::string_view text);

// As append_json_string when `text` is valid UTF-8; otherwise appends nothing and returns
// false, so a caller that must keep every byte can choose another encoding in the same pass.
bool try_append_json_string(std::string& out, std::string_view text);

// Appends `json` (valid JSON) without the whitespace between tokens.
void append_minified_json(std::string& out, std::string_view json);

// Appends `json` (valid JSON) with one member or element per line, indented by two spaces a
// level and "key": value spacing; empty objects and arrays stay {} and [].
void append_indented_json(std::string& out, std::string_view json);

// The exact text of the value of top-level member `key` in `object` (valid JSON, already
// parsed), whitespace around it excluded; nullopt when there is no such member. Lets
// `pub --jsonl` send an embedded JSON payload with the very bytes `sub --json` spliced in.
std::optional<std::string_view> raw_member_value(std::string_view object, std::string_view key);

}  // namespace mqtk::cli
