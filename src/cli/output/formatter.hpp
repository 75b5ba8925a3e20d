#pragma once
// Turns each received message into the bytes `mqtk sub` (and rr) print: the default payload
// line, -v, -F templates or --json records. The formatter is chosen once; per message it only
// appends to the caller's buffer, which the caller reuses and writes out.

#include <memory>
#include <optional>
#include <string>

#include <mqtk/message.hpp>

namespace mqtk::cli {

struct OutputOptions {
  bool verbose = false;                        // -v: topic, a space, the payload
  bool json = false;                           // --json: one json_format.hpp record per line
  bool no_newline = false;                     // -N: nothing appended after each message
  bool pretty = false;                         // --pretty: --json, %j and %J over several lines
  std::optional<std::string> format_template;  // -F
  // Escape bytes that would act on a terminal (plain output and the text fields of -F).
  // Off by default so piped output is byte-exact; mqtk sets it when stdout is a terminal.
  bool escape_binary = false;
};

class MessageFormatter {
 public:
  virtual ~MessageFormatter() = default;
  // Appends the output for `message`, with its trailing newline unless -N.
  virtual void format(std::string& out, const Message& message) = 0;
};

// Throws UsageError when the -F template is invalid or when both json and a template are set.
std::unique_ptr<MessageFormatter> make_formatter(const OutputOptions& options);

}  // namespace mqtk::cli
