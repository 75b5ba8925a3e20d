#include "cli/output/json_check.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "cli/output/encoding.hpp"

namespace mqtk::cli {
namespace {

enum class Verdict { no, yes, undecided };

bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }

int hex_value(unsigned char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A single pass over JSON text with an explicit stack. With `compact` it also refuses what
// nlohmann's dump() would write differently. What it cannot settle alone (a number outside
// from_chars' range, an object with very many keys) it answers `undecided`.
class JsonChecker {
 public:
  JsonChecker(std::string_view text, bool compact) : text_(text), compact_(compact) {}

  Verdict check() {
    enum class Expect { value, key, after_value };
    Expect next = Expect::value;
    if (!skip_whitespace()) return Verdict::no;
    for (;;) {
      switch (next) {
        case Expect::value: {
          const unsigned char c = peek();
          if (c == '{' || c == '[') {
            if (depth_ == containers_.size()) return Verdict::no;
            containers_[depth_] = static_cast<char>(c);
            key_starts_[depth_] = key_count_;
            ++depth_;
            ++pos_;
            if (!skip_whitespace()) return Verdict::no;
            if (peek() == closer(c)) {
              close();
              next = Expect::after_value;
            } else {
              next = c == '{' ? Expect::key : Expect::value;
            }
          } else {
            const bool ok = c == '"'                    ? scan_string(nullptr)
                            : (c == '-' || is_digit(c)) ? scan_number()
                                                        : scan_literal();
            if (!ok) return Verdict::no;
            next = Expect::after_value;
          }
          break;
        }
        case Expect::key: {
          std::string_view key;
          if (peek() != '"' || !scan_string(&key)) return Verdict::no;
          if (compact_ && !note_key(key)) return Verdict::no;
          if (!skip_whitespace() || peek() != ':') return Verdict::no;
          ++pos_;
          if (!skip_whitespace()) return Verdict::no;
          next = Expect::value;
          break;
        }
        case Expect::after_value: {
          if (!skip_whitespace()) return Verdict::no;
          if (depth_ == 0) {
            if (pos_ != text_.size()) return Verdict::no;
            return undecided_ ? Verdict::undecided : Verdict::yes;
          }
          const auto open = static_cast<unsigned char>(containers_[depth_ - 1]);
          if (peek() == ',') {
            ++pos_;
            if (!skip_whitespace()) return Verdict::no;
            next = open == '{' ? Expect::key : Expect::value;
          } else if (peek() == closer(open)) {
            close();
          } else {
            return Verdict::no;
          }
          break;
        }
      }
    }
  }

 private:
  static unsigned char closer(unsigned char open) noexcept { return open == '{' ? '}' : ']'; }

  // 0 at the end: never a byte the grammar accepts where peek() is used.
  unsigned char peek() const noexcept {
    return pos_ < text_.size() ? static_cast<unsigned char>(text_[pos_]) : 0;
  }

  void close() noexcept {
    ++pos_;
    --depth_;
    key_count_ = key_starts_[depth_];
  }

  bool skip_whitespace() noexcept {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return true;
      if (compact_) return false;
      ++pos_;
    }
    return true;
  }

  // Canonical keys have one spelling each, so equal text means an equal key.
  bool note_key(std::string_view key) noexcept {
    for (std::size_t i = key_starts_[depth_ - 1]; i < key_count_; ++i) {
      if (keys_[i] == key) return false;
    }
    if (key_count_ == keys_.size()) {
      undecided_ = true;
    } else {
      keys_[key_count_++] = key;
    }
    return true;
  }

  bool read_hex4(unsigned& code, bool& has_uppercase) noexcept {
    if (text_.size() - pos_ < 4) return false;
    code = 0;
    for (int i = 0; i < 4; ++i) {
      const auto c = static_cast<unsigned char>(text_[pos_++]);
      const int value = hex_value(c);
      if (value < 0) return false;
      has_uppercase = has_uppercase || (c >= 'A' && c <= 'F');
      code = code << 4 | static_cast<unsigned>(value);
    }
    return true;
  }

  bool scan_unicode_escape() noexcept {
    unsigned code = 0;
    bool has_uppercase = false;
    if (!read_hex4(code, has_uppercase)) return false;
    if (code >= 0xDC00 && code <= 0xDFFF) return false;  // a low surrogate alone
    if (code >= 0xD800 && code <= 0xDBFF) {
      unsigned low = 0;
      if (text_.substr(pos_, 2) != "\\u") return false;
      pos_ += 2;
      if (!read_hex4(low, has_uppercase) || low < 0xDC00 || low > 0xDFFF) return false;
    }
    // dump() writes \u00xx, lower case, only for controls without a short escape.
    const bool has_short_form =
        code == '\b' || code == '\f' || code == '\n' || code == '\r' || code == '\t';
    return !compact_ || (code < 0x20 && !has_short_form && !has_uppercase);
  }

  bool scan_string(std::string_view* contents) noexcept {
    const std::size_t start = ++pos_;
    while (pos_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        if (contents) *contents = text_.substr(start, pos_ - start);
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        const std::size_t length = utf8_sequence_length(text_, pos_);
        if (length == 0) return false;
        pos_ += length;
      } else if (c == '\\') {
        const unsigned char escaped = pos_ + 1 < text_.size() ? text_[pos_ + 1] : 0;
        pos_ += 2;
        if (escaped == 'u') {
          if (!scan_unicode_escape()) return false;
        } else if (escaped == '/') {
          if (compact_) return false;
        } else if (std::string_view("\"\\bfnrt").find(static_cast<char>(escaped)) ==
                       std::string_view::npos ||
                   escaped == 0) {
          return false;
        }
      } else {
        ++pos_;
      }
    }
    return false;
  }

  bool scan_digits() noexcept {
    const std::size_t start = pos_;
    while (is_digit(peek())) ++pos_;
    return pos_ > start;
  }

  bool scan_number() noexcept {
    const std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (!scan_digits()) {
      return false;
    }
    bool is_integer = true;
    if (peek() == '.') {
      ++pos_;
      if (!scan_digits()) return false;
      is_integer = false;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!scan_digits()) return false;
      is_integer = false;
    }
    return check_number_value(text_.substr(start, pos_ - start), is_integer);
  }

  // As nlohmann reads numbers: integers into int64 (negative) or uint64; other numbers, and
  // integers out of that range, into a double, refused when infinite, and written back by
  // dump() in its own shortest form. A double from_chars cannot settle (out of range, which
  // includes harmless underflow) is left to nlohmann.
  bool check_number_value(std::string_view number, bool is_integer) noexcept {
    const char* const end = number.data() + number.size();
    if (is_integer) {
      const bool fits = number.front() == '-' ? parses_fully<std::int64_t>(number)
                                              : parses_fully<std::uint64_t>(number);
      if (fits) return !compact_ || number != "-0";
    }
    double value = 0;
    const auto result = std::from_chars(number.data(), end, value);
    if (result.ec != std::errc{} || result.ptr != end) {
      undecided_ = true;
      return true;
    }
    if (!compact_) return true;
    if (is_integer) return false;  // dump() writes a double with a '.' or an exponent
    try {
      return nlohmann::json(value).dump() == number;
    } catch (...) {  // std::bad_alloc only: dump() of a number cannot fail otherwise
      undecided_ = true;
      return true;
    }
  }

  template <typename Integer>
  static bool parses_fully(std::string_view number) noexcept {
    Integer value = 0;
    const char* const end = number.data() + number.size();
    const auto result = std::from_chars(number.data(), end, value);
    return result.ec == std::errc{} && result.ptr == end;
  }

  bool scan_literal() noexcept {
    for (const std::string_view literal : {"true", "false", "null"}) {
      if (text_.substr(pos_, literal.size()) == literal) {
        pos_ += literal.size();
        return true;
      }
    }
    return false;
  }

  std::string_view text_;
  bool compact_;
  std::size_t pos_ = 0;
  bool undecided_ = false;
  std::size_t depth_ = 0;
  // Left uninitialised on purpose (each slot is written before it is read): zeroing 1.5 KiB
  // would cost more than checking a typical payload.
  std::array<char, max_embedded_json_depth> containers_;          // '{' or '[' per open level
  std::array<std::uint8_t, max_embedded_json_depth> key_starts_;  // first key of the level
  std::array<std::string_view, 64> keys_;  // keys of the open objects, for repeats
  std::uint8_t key_count_ = 0;
};

bool dump_reproduces(std::string_view text) {
  // ordered_json keeps object members in their written order, as the writer does.
  const auto value = nlohmann::ordered_json::parse(text.begin(), text.end(), nullptr,
                                                   /*allow_exceptions=*/false);
  return !value.is_discarded() && value.dump() == text;
}

}  // namespace

bool is_json(std::string_view text) {
  switch (JsonChecker(text, false).check()) {
    case Verdict::yes: return true;
    case Verdict::no: return false;
    case Verdict::undecided: return nlohmann::json::accept(text.begin(), text.end());
  }
  return false;
}

bool is_compact_json(std::string_view text) {
  // Most payloads that are not JSON fail on the first byte; decide those without the checker.
  if (text.empty() ||
      std::string_view("{[\"-0123456789tfn").find(text.front()) == std::string_view::npos) {
    return false;
  }
  switch (JsonChecker(text, true).check()) {
    case Verdict::yes: return true;
    case Verdict::no: return false;
    case Verdict::undecided: return dump_reproduces(text);
  }
  return false;
}

std::size_t json_nesting_depth(std::string_view text) noexcept {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '"') {
      for (++pos; pos < text.size() && text[pos] != '"'; ++pos) {
        if (text[pos] == '\\') ++pos;
      }
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace mqtk::cli
