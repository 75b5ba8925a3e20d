#include "cli/output/encoding.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace mqtk::cli {
namespace {

constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view lower_hex_digits = "0123456789abcdef";
constexpr std::string_view upper_hex_digits = "0123456789ABCDEF";

constexpr std::array<std::int8_t, 256> make_base64_values() {
  std::array<std::int8_t, 256> values{};
  values.fill(-1);
  for (std::size_t i = 0; i < base64_alphabet.size(); ++i) {
    values[static_cast<unsigned char>(base64_alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return values;
}
constexpr std::array<std::int8_t, 256> base64_values = make_base64_values();

bool is_continuation(unsigned char byte) noexcept { return (byte & 0xC0) == 0x80; }

bool in_range(unsigned char byte, unsigned char low, unsigned char high) noexcept {
  return byte >= low && byte <= high;
}

bool needs_terminal_escape(unsigned char byte) noexcept {
  return (byte < 0x20 && byte != '\t' && byte != '\n') || byte == 0x7F;
}

void append_hex_escape(std::string& out, unsigned char byte) {
  const char escape[4] = {'\\', 'x', lower_hex_digits[byte >> 4], lower_hex_digits[byte & 0x0F]};
  out.append(escape, sizeof escape);
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view bytes, std::size_t pos) noexcept {
  const auto byte_at = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const std::size_t available = bytes.size() - pos;
  const unsigned char lead = byte_at(pos);
  if (lead < 0x80) return 1;
  if (in_range(lead, 0xC2, 0xDF)) {
    return available >= 2 && is_continuation(byte_at(pos + 1)) ? 2 : 0;
  }
  if (in_range(lead, 0xE0, 0xEF)) {
    if (available < 3) return 0;
    const unsigned char second = byte_at(pos + 1);
    // E0 needs A0.. (no overlong forms); ED stops at 9F (no UTF-16 surrogates).
    const bool second_ok = lead == 0xE0   ? in_range(second, 0xA0, 0xBF)
                           : lead == 0xED ? in_range(second, 0x80, 0x9F)
                                          : is_continuation(second);
    return second_ok && is_continuation(byte_at(pos + 2)) ? 3 : 0;
  }
  if (in_range(lead, 0xF0, 0xF4)) {
    if (available < 4) return 0;
    const unsigned char second = byte_at(pos + 1);
    // F0 needs 90.. (no overlong forms); F4 stops at 8F (nothing above U+10FFFF).
    const bool second_ok = lead == 0xF0   ? in_range(second, 0x90, 0xBF)
                           : lead == 0xF4 ? in_range(second, 0x80, 0x8F)
                                          : is_continuation(second);
    return second_ok && is_continuation(byte_at(pos + 2)) && is_continuation(byte_at(pos + 3)) ? 4
                                                                                               : 0;
  }
  return 0;
}

bool is_valid_utf8(std::string_view bytes) noexcept {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    // Most payloads are ASCII: test eight bytes at a time for a set high bit.
    if (bytes.size() - pos >= 8) {
      std::uint64_t chunk = 0;
      std::memcpy(&chunk, bytes.data() + pos, sizeof chunk);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        pos += 8;
        continue;
      }
    }
    const std::size_t length = utf8_sequence_length(bytes, pos);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

std::size_t utf8_prefix_length(std::string_view text, std::size_t max_bytes) noexcept {
  if (max_bytes >= text.size()) return text.size();
  std::size_t cut = max_bytes;
  // A sequence is at most four bytes, so never back up further than three.
  for (int step = 0; step < 3 && cut > 0 && is_continuation(static_cast<unsigned char>(text[cut]));
       ++step) {
    --cut;
  }
  return is_continuation(static_cast<unsigned char>(text[cut])) ? max_bytes : cut;
}

void append_base64(std::string& out, std::string_view bytes) {
  const auto byte_at = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]));
  };
  const std::size_t start = out.size();
  out.resize(start + (bytes.size() + 2) / 3 * 4);
  char* cursor = out.data() + start;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = byte_at(i) << 16 | byte_at(i + 1) << 8 | byte_at(i + 2);
    *cursor++ = base64_alphabet[group >> 18 & 0x3F];
    *cursor++ = base64_alphabet[group >> 12 & 0x3F];
    *cursor++ = base64_alphabet[group >> 6 & 0x3F];
    *cursor++ = base64_alphabet[group & 0x3F];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    const std::uint32_t group = byte_at(i) << 16 | (rest == 2 ? byte_at(i + 1) << 8 : 0);
    *cursor++ = base64_alphabet[group >> 18 & 0x3F];
    *cursor++ = base64_alphabet[group >> 12 & 0x3F];
    *cursor++ = rest == 2 ? base64_alphabet[group >> 6 & 0x3F] : '=';
    *cursor++ = '=';
  }
}

std::string encode_base64(std::string_view bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.size() % 4 == 0 && !text.empty() && text.back() == '=') {
    text.remove_suffix(text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1);
  }
  if (text.size() % 4 == 1) return std::nullopt;
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t group = 0;
  int bits = 0;
  for (const char c : text) {
    const std::int8_t value = base64_values[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    group = (group << 6 | static_cast<std::uint32_t>(value)) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>(group >> bits & 0xFF));
    }
  }
  return bytes;
}

void append_hex(std::string& out, std::string_view bytes, bool uppercase) {
  const std::string_view digits = uppercase ? upper_hex_digits : lower_hex_digits;
  const std::size_t start = out.size();
  out.resize(start + bytes.size() * 2);
  char* cursor = out.data() + start;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    *cursor++ = digits[byte >> 4];
    *cursor++ = digits[byte & 0x0F];
  }
}

void append_terminal_safe(std::string& out, std::string_view bytes) {
  std::size_t run_start = 0;  // start of bytes that are copied unchanged
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const auto byte = static_cast<unsigned char>(bytes[pos]);
    if (byte < 0x80 && !needs_terminal_escape(byte)) {
      ++pos;
      continue;
    }
    const std::size_t length = byte < 0x80 ? 0 : utf8_sequence_length(bytes, pos);
    const bool is_c1_control =
        length == 2 && byte == 0xC2 && static_cast<unsigned char>(bytes[pos + 1]) < 0xA0;
    if (length > 1 && !is_c1_control) {
      pos += length;
      continue;
    }
    out.append(bytes.substr(run_start, pos - run_start));
    const std::size_t escaped = is_c1_control ? 2 : 1;
    for (std::size_t i = 0; i < escaped; ++i) {
      append_hex_escape(out, static_cast<unsigned char>(bytes[pos + i]));
    }
    pos += escaped;
    run_start = pos;
  }
  out.append(bytes.substr(run_start));
}

}  // namespace mqtk::cli
