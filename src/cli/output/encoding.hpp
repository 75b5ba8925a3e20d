#pragma once
// Byte-level encodings the output formats share: UTF-8 validation, base64 (RFC 4648, standard
// alphabet, padded), hex, and escaping of bytes that would disturb a terminal.

#include <charconv>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mqtk::cli {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view bytes) noexcept;

// Length (1-4) of the valid UTF-8 sequence starting at bytes[pos], or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view bytes, std::size_t pos) noexcept;

// The largest cut <= max_bytes that does not split a UTF-8 sequence of `text`.
std::size_t utf8_prefix_length(std::string_view text, std::size_t max_bytes) noexcept;

void append_base64(std::string& out, std::string_view bytes);
std::string encode_base64(std::string_view bytes);
// Accepts padded and unpadded input; rejects whitespace, other alphabets and bad lengths.
std::optional<std::string> decode_base64(std::string_view text);

void append_hex(std::string& out, std::string_view bytes, bool uppercase);

// Decimal digits of `value`, without a locale or a temporary string (hot path of -F and %j).
template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

// Copies `bytes` but writes as \xHH (lower-case hex) every byte that a terminal would act on
// or that is not valid UTF-8: C0 controls except \t and \n, DEL, the C1 controls U+0080-U+009F
// (both bytes of their UTF-8 form) and each byte of an invalid UTF-8 sequence. A backslash is
// not doubled: the result is for reading, not for decoding (use --json or %x for that).
void append_terminal_safe(std::string& out, std::string_view bytes);

}  // namespace mqtk::cli
