#pragma once
// The output flags `mqtk sub` and `mqtk rr` share (-v, -N, -F, --json, --pretty), bound straight
// to the formatter's options, and the formatter built from them for the real stdout.

#include <memory>

#include "cli/output/formatter.hpp"

namespace CLI {
class App;
}

namespace mqtk::cli {

void add_output_flags(CLI::App& app, OutputOptions& output);
// escape_binary follows whether stdout is a terminal.
std::unique_ptr<MessageFormatter> make_stdout_formatter(OutputOptions output);

}  // namespace mqtk::cli
