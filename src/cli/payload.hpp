#pragma once
// Payloads given whole on the command line or in a file (-m, -f, -s, -n, --size, --format).
// Line-by-line sources (-l, --jsonl) are read by the publishing loop itself.

#include <string>
#include <string_view>

#include "cli/line_reader.hpp"
#include "cli/pub_options.hpp"

namespace mqtk::cli {

// MQTT's limit on one payload: the 268,435,455-byte remaining length less the headers.
inline constexpr std::size_t max_payload_bytes = 268435455 - 65535 - 16;

// Checks that exactly one payload source is given; throws UsageError naming the conflict.
void check_payload_flags(const PayloadFlags& flags, bool allow_streams);
// The payload of -m/-f/-s/-n/--size (-s reads `stdin` to the end). Throws UsageError for an
// unreadable file, bad hex/base64 or, with --validate-json, a payload that is not JSON.
std::string read_whole_payload(const PayloadFlags& flags, LineReader& stdin_reader);
// Throws UsageError("<where>: payload is not valid JSON (...)") unless `payload` is JSON; an
// empty `where` leaves out the "<where>: ".
void validate_json_payload(std::string_view payload, const std::string& where);

}  // namespace mqtk::cli
