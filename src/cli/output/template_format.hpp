#pragma once
// mosquitto_sub's -F format (2.0): %-specifiers for message fields, @-specifiers for strftime,
// \-escapes. The template is parsed once; writing a message only appends to a buffer.
//
// Accepted exactly as mosquitto_sub 2.0.11 accepts it (its check_format()):
//   %% %A %C %D %E %F %I %j %J %l %m %p %P %q %r %R %S %t %U %x %X, each with optional flags
//   `-` (left align) then `0` (zero pad), a width and a .precision; they only act where the
//   man page says: width on A C E F I l m p R S t x X, `0` on A E F l m S p x X (ignored with
//   `-`), precision (a maximum length) on C I R t. `@@` is '@', `@N` the nanoseconds of the
//   second (9 digits), any other `@X` strftime's %X. Escapes: \\ \0 \a \e \n \r \t \v.
// Stricter than mosquitto: an @X that glibc strftime does not document is refused.
// Output differences (mosquitto's behaviour looks unintended in each):
// - Width is a minimum for %p %x %X too; mosquitto truncates the payload to the width
//   ("%3p" -> "abc") and, for hex, prints only half the bytes of a short payload.
// - An absent %R pads to its width like %C; `-0` pads absent numbers with blanks, not zeros.
// - Precision never splits a UTF-8 character.
// - %m is 0: mqtk::Message has no packet id. %S prints the first subscription identifier.
// - %E prints the full unsigned 32-bit value (mosquitto casts to int).
// - %j and %J: see mosquitto_json.hpp; with pretty_json they use json_text's indentation,
//   not cJSON's tab layout.
// Times (%I %U %j %J and @) are those of message.received_at, or `now` when it is unset, in
// the local zone (TZ), as mosquitto_sub prints the time of arrival.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <mqtk/message.hpp>

namespace mqtk::cli {

struct LocalTime;

struct TemplateOptions {
  bool pretty_json = false;  // --pretty: %j and %J over several lines
  // Escape bytes that would act on a terminal (append_terminal_safe) in the fields that carry
  // message data as text: %p %D %t %C %R %P.
  bool escape_binary = false;
};

class TemplateFormat {
 public:
  // Throws UsageError naming the problem and its 1-based position in `text`.
  static TemplateFormat compile(std::string_view text, TemplateOptions options = {});

  void write(std::string& out, const Message& message,
             std::chrono::system_clock::time_point now) const;

  // Whether write() reads the time, so a caller can skip fetching `now`.
  bool uses_time() const noexcept { return uses_time_; }

 private:
  enum class PieceKind : std::uint8_t { literal, field, strftime, nanoseconds };
  struct Piece {
    PieceKind kind = PieceKind::literal;
    char conversion = 0;  // the letter after % or @
    bool left_align = false;
    bool zero_pad = false;
    int width = 0;
    int precision = -1;  // -1: none
    std::string text;    // literal text, or the strftime format
  };

  TemplateFormat() = default;
  void write_field(std::string& out, const Piece& piece, const Message& message,
                   const LocalTime& time) const;

  std::vector<Piece> pieces_;
  TemplateOptions options_;
  bool uses_time_ = false;
};

}  // namespace mqtk::cli
