#pragma once
// Time stamps in the forms mqtk prints and reads: UTC RFC 3339 for --json, and the local
// broken-down time that mosquitto_sub's -F specifiers (%I %U %j @X @N) are made from.

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace mqtk::cli {

// "2026-11-21T10:00:00.123Z": UTC, millisecond precision.
void append_utc_timestamp(std::string& out, std::chrono::system_clock::time_point time);

// RFC 3339 ("2026-11-21T10:00:00.123Z", "2026-11-21T11:00:00+01:00", any number of fraction
// digits, nanoseconds kept). Throws UsageError naming `field` when `text` is not one.
std::chrono::system_clock::time_point parse_rfc3339(std::string_view text, std::string_view field);

struct LocalTime {
  std::tm calendar{};  // in the zone of TZ, as mosquitto_sub uses
  std::int64_t epoch_seconds = 0;
  std::int64_t nanoseconds = 0;  // within the second, 0-999999999
};
LocalTime to_local_time(std::chrono::system_clock::time_point time);

// Appends strftime(format, calendar); `format` holds conversions whose output is short.
void append_strftime(std::string& out, const char* format, const std::tm& calendar);

void append_zero_padded(std::string& out, std::uint64_t value, int width);

}  // namespace mqtk::cli
