#include "cli/output/template_format.hpp"

#include <charconv>
#include <ctime>
#include <optional>

#include "cli/output/encoding.hpp"
#include "cli/output/json_text.hpp"
#include "cli/output/mosquitto_json.hpp"
#include "cli/output/timestamp.hpp"
#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

constexpr std::string_view field_conversions = "%ACDEFIjJlmpPqrRStUxX";
// What glibc's strftime documents, without the E and O modifiers (only one letter follows @).
constexpr std::string_view strftime_conversions = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%";
constexpr int max_field_width = 65535;

[[noreturn]] void fail(std::string_view problem, std::string_view specifier, std::size_t position) {
  throw UsageError("invalid -F format: " + std::string(problem) + " '" + std::string(specifier) +
                   "' at position " + std::to_string(position + 1));
}

// Reads decimal digits at text[pos] into `value`, advancing pos.
void read_number(std::string_view text, std::size_t& pos, int& value, std::size_t start) {
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    value = value * 10 + (text[pos] - '0');
    ++pos;
    if (value > max_field_width) {
      fail("width or precision above 65535 in", text.substr(start, pos - start), start);
    }
  }
}

std::optional<char> escaped_character(char letter) {
  switch (letter) {
    case '\\': return '\\';
    case '0': return '\0';
    case 'a': return '\a';
    case 'e': return '\x1B';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: return std::nullopt;
  }
}

void append_text(std::string& out, std::string_view text, bool escape) {
  if (escape) {
    append_terminal_safe(out, text);
  } else {
    out.append(text);
  }
}

}  // namespace

TemplateFormat TemplateFormat::compile(std::string_view text, TemplateOptions options) {
  TemplateFormat format;
  format.options_ = options;
  std::string literal;
  const auto flush_literal = [&] {
    if (literal.empty()) return;
    Piece piece;
    piece.text = std::move(literal);
    format.pieces_.push_back(std::move(piece));
    literal.clear();
  };
  const auto add_piece = [&](Piece piece) {
    flush_literal();
    format.pieces_.push_back(std::move(piece));
  };
  const auto time_piece = [](PieceKind kind, char letter) {
    Piece piece;
    piece.kind = kind;
    piece.conversion = letter;
    if (kind == PieceKind::strftime) piece.text = {'%', letter};
    return piece;
  };

  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const char c = text[pos++];
    if (c == '%') {
      Piece piece;
      piece.kind = PieceKind::field;
      if (pos < text.size() && text[pos] == '-') {
        piece.left_align = true;
        ++pos;
      }
      if (pos < text.size() && text[pos] == '0') {
        piece.zero_pad = true;
        ++pos;
      }
      read_number(text, pos, piece.width, start);
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        piece.precision = 0;
        read_number(text, pos, piece.precision, start);
      }
      if (pos >= text.size()) fail("incomplete format specifier", text.substr(start), start);
      piece.conversion = text[pos++];
      if (field_conversions.find(piece.conversion) == std::string_view::npos) {
        fail("unknown format specifier", text.substr(start, pos - start), start);
      }
      if (piece.conversion == '%') {
        literal.push_back('%');
        continue;
      }
      if (std::string_view("IjJU").find(piece.conversion) != std::string_view::npos) {
        format.uses_time_ = true;
      }
      add_piece(std::move(piece));
    } else if (c == '@') {
      if (pos >= text.size()) fail("incomplete time specifier", text.substr(start), start);
      const char letter = text[pos++];
      if (letter == '@') {
        literal.push_back('@');
        continue;
      }
      format.uses_time_ = true;
      if (letter == 'N') {
        add_piece(time_piece(PieceKind::nanoseconds, letter));
      } else if (strftime_conversions.find(letter) != std::string_view::npos) {
        add_piece(time_piece(PieceKind::strftime, letter));
      } else {
        fail("unknown time specifier", text.substr(start, 2), start);
      }
    } else if (c == '\\') {
      if (pos >= text.size()) fail("incomplete escape", text.substr(start), start);
      const std::optional<char> escaped = escaped_character(text[pos++]);
      if (!escaped) fail("unknown escape", text.substr(start, 2), start);
      literal.push_back(*escaped);
    } else {
      literal.push_back(c);
    }
  }
  flush_literal();
  return format;
}

void TemplateFormat::write(std::string& out, const Message& message,
                           std::chrono::system_clock::time_point now) const {
  const LocalTime time =
      uses_time_ ? to_local_time(message.received_at.value_or(now)) : LocalTime{};
  for (const Piece& piece : pieces_) {
    switch (piece.kind) {
      case PieceKind::literal: out.append(piece.text); break;
      case PieceKind::strftime: append_strftime(out, piece.text.c_str(), time.calendar); break;
      case PieceKind::nanoseconds:
        append_zero_padded(out, static_cast<std::uint64_t>(time.nanoseconds), 9);
        break;
      case PieceKind::field: write_field(out, piece, message, time); break;
    }
  }
}

void TemplateFormat::write_field(std::string& out, const Piece& piece, const Message& message,
                                 const LocalTime& time) const {
  const MessageProperties& properties = message.properties;
  const bool escape = options_.escape_binary;
  const std::size_t start = out.size();
  // Numbers and payloads pad with the `0` flag; text always pads with blanks.
  char pad = piece.zero_pad && !piece.left_align ? '0' : ' ';

  const auto write_number = [&](const auto& value) {
    if (value) append_integer(out, *value);
  };
  const auto write_text = [&](std::string_view text) {
    if (piece.precision >= 0) {
      text = text.substr(0, utf8_prefix_length(text, static_cast<std::size_t>(piece.precision)));
    }
    append_text(out, text, escape);
    pad = ' ';
  };
  const auto write_optional_text = [&](const std::optional<std::string>& text) {
    pad = ' ';
    if (text) write_text(*text);
  };

  switch (piece.conversion) {
    case 'A': write_number(properties.topic_alias); break;
    case 'C': write_optional_text(properties.content_type); break;
    case 'D':
      if (properties.correlation_data) append_text(out, *properties.correlation_data, escape);
      return;
    case 'E': write_number(properties.message_expiry_interval); break;
    case 'F':
      if (properties.payload_format_indicator) {
        append_integer(out, unsigned{*properties.payload_format_indicator});
      }
      break;
    case 'I': {
      char iso[64];  // "2026-11-21T10:00:00+0000"; a stack buffer keeps this allocation-free
      write_text({iso, std::strftime(iso, sizeof iso, "%FT%T%z", &time.calendar)});
      break;
    }
    case 'j':
    case 'J': {
      const auto style =
          piece.conversion == 'j' ? JsonPayloadStyle::escaped : JsonPayloadStyle::embedded;
      if (options_.pretty_json) {
        std::string compact;
        append_mosquitto_json(compact, message, time, style);
        append_indented_json(out, compact);
      } else {
        append_mosquitto_json(out, message, time, style);
      }
      return;
    }
    case 'l': append_integer(out, message.payload.size()); break;
    case 'm': append_integer(out, message.packet_id); break;
    case 'P': {
      bool first = true;
      for (const auto& [name, value] : properties.user_properties) {
        if (!first) out.push_back(' ');
        first = false;
        append_text(out, name, escape);
        out.push_back(':');
        append_text(out, value, escape);
      }
      return;
    }
    case 'p': append_text(out, message.payload, escape); break;
    case 'q': append_integer(out, message.qos); return;
    case 'r': out.push_back(message.retain ? '1' : '0'); return;
    case 'R': write_optional_text(properties.response_topic); break;
    case 'S':
      if (!properties.subscription_identifiers.empty()) {
        append_integer(out, properties.subscription_identifiers.front());
      }
      break;
    case 't': write_text(message.topic); break;
    case 'U':
      append_integer(out, time.epoch_seconds);
      out.push_back('.');
      append_zero_padded(out, static_cast<std::uint64_t>(time.nanoseconds), 9);
      return;
    case 'x':
    case 'X': append_hex(out, message.payload, piece.conversion == 'X'); break;
  }

  const auto length = out.size() - start;
  const auto width = static_cast<std::size_t>(piece.width);
  if (length >= width) return;
  if (piece.left_align) {
    out.append(width - length, ' ');
  } else {
    out.insert(start, width - length, pad);
  }
}

}  // namespace mqtk::cli
