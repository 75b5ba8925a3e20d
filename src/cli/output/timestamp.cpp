#include "cli/output/timestamp.hpp"

#include <charconv>
#include <optional>

#include <mqtk/error.hpp>

namespace mqtk::cli {

void append_zero_padded(std::string& out, std::uint64_t value, int width) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  const auto length = static_cast<int>(result.ptr - digits);
  if (length < width) out.append(static_cast<std::size_t>(width - length), '0');
  out.append(digits, result.ptr);
}

void append_utc_timestamp(std::string& out, std::chrono::system_clock::time_point time) {
  namespace chrono = std::chrono;
  const auto millis = chrono::floor<chrono::milliseconds>(time);
  const auto day = chrono::floor<chrono::days>(millis);
  const chrono::year_month_day date{day};
  const chrono::hh_mm_ss clock{millis - day};
  append_zero_padded(out, static_cast<std::uint64_t>(static_cast<int>(date.year())), 4);
  out.push_back('-');
  append_zero_padded(out, static_cast<unsigned>(date.month()), 2);
  out.push_back('-');
  append_zero_padded(out, static_cast<unsigned>(date.day()), 2);
  out.push_back('T');
  append_zero_padded(out, static_cast<std::uint64_t>(clock.hours().count()), 2);
  out.push_back(':');
  append_zero_padded(out, static_cast<std::uint64_t>(clock.minutes().count()), 2);
  out.push_back(':');
  append_zero_padded(out, static_cast<std::uint64_t>(clock.seconds().count()), 2);
  out.push_back('.');
  append_zero_padded(out, static_cast<std::uint64_t>(clock.subseconds().count()), 3);
  out.push_back('Z');
}

LocalTime to_local_time(std::chrono::system_clock::time_point time) {
  namespace chrono = std::chrono;
  const auto seconds = chrono::floor<chrono::seconds>(time);
  LocalTime local;
  local.epoch_seconds = seconds.time_since_epoch().count();
  local.nanoseconds = chrono::duration_cast<chrono::nanoseconds>(time - seconds).count();
  const auto epoch_seconds = static_cast<std::time_t>(local.epoch_seconds);
  localtime_r(&epoch_seconds, &local.calendar);
  return local;
}

void append_strftime(std::string& out, const char* format, const std::tm& calendar) {
  char text[128];
  const std::size_t length = std::strftime(text, sizeof text, format, &calendar);
  out.append(text, length);
}

namespace {

// Reads `count` decimal digits at text[pos], advancing pos; nullopt when they are not digits.
std::optional<unsigned> read_digits(std::string_view text, std::size_t& pos, std::size_t count) {
  if (text.size() - pos < count) return std::nullopt;
  unsigned value = 0;
  for (std::size_t end = pos + count; pos < end; ++pos) {
    if (text[pos] < '0' || text[pos] > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(text[pos] - '0');
  }
  return value;
}

bool read_char(std::string_view text, std::size_t& pos, std::string_view accepted) {
  if (pos >= text.size() || accepted.find(text[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

}  // namespace

std::chrono::system_clock::time_point parse_rfc3339(std::string_view text, std::string_view field) {
  namespace chrono = std::chrono;
  const auto fail = [&]() -> std::chrono::system_clock::time_point {
    throw UsageError("field '" + std::string(field) +
                     "' must be an RFC 3339 time such as 2026-11-21T10:00:00.123Z");
  };
  std::size_t pos = 0;
  const auto year = read_digits(text, pos, 4);
  if (!year || !read_char(text, pos, "-")) return fail();
  const auto month = read_digits(text, pos, 2);
  if (!month || !read_char(text, pos, "-")) return fail();
  const auto day = read_digits(text, pos, 2);
  if (!day || !read_char(text, pos, "Tt")) return fail();
  const auto hour = read_digits(text, pos, 2);
  if (!hour || *hour > 23 || !read_char(text, pos, ":")) return fail();
  const auto minute = read_digits(text, pos, 2);
  if (!minute || *minute > 59 || !read_char(text, pos, ":")) return fail();
  const auto second = read_digits(text, pos, 2);
  if (!second || *second > 59) return fail();
  chrono::nanoseconds fraction{0};
  if (read_char(text, pos, ".")) {
    const std::size_t first_digit = pos;
    std::int64_t scale = 100'000'000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += chrono::nanoseconds{(text[pos] - '0') * scale};
      scale /= 10;  // digits past the ninth add nothing
      ++pos;
    }
    if (pos == first_digit) return fail();
  }
  chrono::minutes offset{0};
  if (!read_char(text, pos, "Zz")) {
    const bool east = pos < text.size() && text[pos] == '+';
    if (!read_char(text, pos, "+-")) return fail();
    const auto offset_hours = read_digits(text, pos, 2);
    if (!offset_hours || *offset_hours > 23 || !read_char(text, pos, ":")) return fail();
    const auto offset_minutes = read_digits(text, pos, 2);
    if (!offset_minutes || *offset_minutes > 59) return fail();
    offset = chrono::hours{*offset_hours} + chrono::minutes{*offset_minutes};
    if (!east) offset = -offset;
  }
  const chrono::year_month_day date{chrono::year{static_cast<int>(*year)}, chrono::month{*month},
                                    chrono::day{*day}};
  if (pos != text.size() || !date.ok()) return fail();
  // system_clock counts nanoseconds in 64 bits: years 1678 to 2261 only. Found by fuzzing
  // (tests/fuzz/jsonl_record_fuzz.cpp): "9772-11-21T..." overflowed (undefined behaviour).
  // Whole seconds cannot overflow for four-digit years, so check in those first.
  const auto utc_seconds = chrono::sys_days{date} + chrono::hours{*hour} +
                           chrono::minutes{*minute} + chrono::seconds{*second} - offset;
  constexpr auto earliest = chrono::ceil<chrono::seconds>(chrono::system_clock::time_point::min());
  constexpr auto latest = chrono::floor<chrono::seconds>(chrono::system_clock::time_point::max());
  if (utc_seconds < earliest || utc_seconds >= latest) {
    throw UsageError("field '" + std::string(field) + "' is out of range: '" + std::string(text) +
                     "' (the years 1678 to 2261 can be represented)");
  }
  return chrono::time_point_cast<chrono::system_clock::duration>(utc_seconds) + fraction;
}

}  // namespace mqtk::cli
