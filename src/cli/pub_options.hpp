#pragma once
// The raw flags of `mqtk pub` (and the payload flags `mqtk rr` shares), filled by CLI11.

#include <optional>
#include <string>

#include "cli/connection_flags.hpp"

namespace mqtk::cli {

// Where the payload comes from: exactly one of -m, -f, -s, -l, -n, --size, --jsonl.
struct PayloadFlags {
  std::optional<std::string> message;   // -m
  std::optional<std::string> file;      // -f
  bool stdin_file = false;              // -s
  bool stdin_line = false;              // -l
  bool null_message = false;            // -n
  std::optional<long long> size;        // --size
  bool jsonl = false;                   // --jsonl
  std::optional<std::string> encoding;  // --format hex|base64 for -m
  bool validate_json = false;
};

struct PubOptions {
  ConnectionFlags connection;
  PayloadFlags payload;
  std::optional<std::string> topic;  // -t
  int qos = 0;
  bool retain = false;
  long long repeat = 1;
  double repeat_delay_s = 0;
  double ack_timeout_s = 10;
  bool replay_timing = false;
  double speed = 1.0;
  bool loop = false;
  std::string on_error = "stop";
};

}  // namespace mqtk::cli
