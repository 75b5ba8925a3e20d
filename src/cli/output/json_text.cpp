#include "cli/output/json_text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "cli/output/encoding.hpp"

namespace mqtk::cli {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

bool is_json_whitespace(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Index just past the string literal whose opening quote is at json[open_quote].
std::size_t skip_string(std::string_view json, std::size_t open_quote) noexcept {
  std::size_t pos = open_quote + 1;
  while (pos < json.size() && json[pos] != '"') {
    pos += json[pos] == '\\' ? 2 : 1;
  }
  return pos + 1;
}

// Bytes that JSON strings can hold unchanged: printable ASCII other than '"' and '\'.
// Tested eight at a time (SWAR, "Bit Twiddling Hacks": haszero / hasless), since most topics
// and payloads are long runs of them.
bool all_plain_ascii(std::uint64_t chunk) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
  const auto has_zero_byte = [](std::uint64_t v) { return ((v - ones) & ~v & high_bits) != 0; };
  const bool has_control = ((chunk - ones * 0x20) & ~chunk & high_bits) != 0;
  return (chunk & high_bits) == 0 && !has_control && !has_zero_byte(chunk ^ (ones * '"')) &&
         !has_zero_byte(chunk ^ (ones * '\\'));
}

enum class InvalidUtf8 { replace, refuse };

bool append_json_string_impl(std::string& out, std::string_view text, InvalidUtf8 on_invalid) {
  const std::size_t out_start = out.size();
  out.push_back('"');
  std::size_t run_start = 0;  // start of bytes copied unchanged
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text.size() - pos >= 8) {
      std::uint64_t chunk = 0;
      std::memcpy(&chunk, text.data() + pos, sizeof chunk);
      if (all_plain_ascii(chunk)) {
        pos += 8;
        continue;
      }
    }
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\') {
      ++pos;
      continue;
    }
    if (byte >= 0x80) {
      if (const std::size_t length = utf8_sequence_length(text, pos); length > 0) {
        pos += length;
        continue;
      }
      if (on_invalid == InvalidUtf8::refuse) {
        out.resize(out_start);
        return false;
      }
    }
    out.append(text.substr(run_start, pos - run_start));
    switch (byte) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (byte < 0x20) {
          constexpr std::string_view hex = "0123456789abcdef";
          const char escape[6] = {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 0x0F]};
          out.append(escape, sizeof escape);
        } else {
          out.append(replacement_character);
        }
    }
    ++pos;
    run_start = pos;
  }
  out.append(text.substr(run_start));
  out.push_back('"');
  return true;
}

void append_newline_and_indent(std::string& out, std::size_t depth) {
  out.push_back('\n');
  out.append(depth * 2, ' ');
}

std::size_t skip_whitespace(std::string_view json, std::size_t pos) noexcept {
  while (pos < json.size() && is_json_whitespace(json[pos])) ++pos;
  return pos;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  append_json_string_impl(out, text, InvalidUtf8::replace);
}

bool try_append_json_string(std::string& out, std::string_view text) {
  return append_json_string_impl(out, text, InvalidUtf8::refuse);
}

void append_minified_json(std::string& out, std::string_view json) {
  std::size_t pos = 0;
  while (pos < json.size()) {
    const char c = json[pos];
    if (c == '"') {
      const std::size_t end = std::min(skip_string(json, pos), json.size());
      out.append(json.substr(pos, end - pos));
      pos = end;
      continue;
    }
    if (!is_json_whitespace(c)) out.push_back(c);
    ++pos;
  }
}

void append_indented_json(std::string& out, std::string_view json) {
  std::size_t depth = 0;
  std::size_t pos = 0;
  while (pos < json.size()) {
    const char c = json[pos];
    switch (c) {
      case '"': {
        const std::size_t end = std::min(skip_string(json, pos), json.size());
        out.append(json.substr(pos, end - pos));
        pos = end;
        continue;
      }
      case '{':
      case '[': {
        const std::size_t next = skip_whitespace(json, pos + 1);
        out.push_back(c);
        if (next < json.size() && json[next] == (c == '{' ? '}' : ']')) {
          out.push_back(json[next]);
          pos = next + 1;
          continue;
        }
        append_newline_and_indent(out, ++depth);
        break;
      }
      case '}':
      case ']':
        append_newline_and_indent(out, depth > 0 ? --depth : 0);
        out.push_back(c);
        break;
      case ',':
        out.push_back(',');
        append_newline_and_indent(out, depth);
        break;
      case ':': out.append(": "); break;
      default:
        if (!is_json_whitespace(c)) out.push_back(c);
    }
    ++pos;
  }
}

namespace {

std::size_t skip_value(std::string_view text, std::size_t i) {
  if (i >= text.size()) return i;
  if (text[i] == '"') return skip_string(text, i);
  if (text[i] == '{' || text[i] == '[') {
    int depth = 0;
    while (i < text.size()) {
      const char c = text[i];
      if (c == '"') {
        i = skip_string(text, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      ++i;
      if (depth == 0) return i;
    }
    return i;
  }
  while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' &&
         !is_json_whitespace(text[i]))
    ++i;
  return i;
}

}  // namespace

std::optional<std::string_view> raw_member_value(std::string_view object, std::string_view key) {
  std::size_t i = skip_whitespace(object, 0);
  if (i >= object.size() || object[i] != '{') return std::nullopt;
  ++i;
  for (;;) {
    i = skip_whitespace(object, i);
    if (i >= object.size() || object[i] != '"') return std::nullopt;
    const std::size_t key_start = i + 1;
    i = skip_string(object, i);
    const std::string_view name = object.substr(key_start, i - 1 - key_start);
    i = skip_whitespace(object, i);
    if (i >= object.size() || object[i] != ':') return std::nullopt;
    i = skip_whitespace(object, i + 1);
    const std::size_t value_start = i;
    i = skip_value(object, i);
    if (name == key) return object.substr(value_start, i - value_start);
    i = skip_whitespace(object, i);
    if (i >= object.size() || object[i] != ',') return std::nullopt;
    ++i;
  }
}

}  // namespace mqtk::cli
