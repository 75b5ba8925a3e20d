#include "cli/output_flags.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>

namespace mqtk::cli {

void add_output_flags(CLI::App& app, OutputOptions& output) {
  const char* group = "Output";
  app.add_flag("-v,--verbose", output.verbose, "Print the topic before the payload")->group(group);
  app.add_flag("-N,--no-newline", output.no_newline, "Do not print a newline after each message")->group(group);
  auto* format = app.add_option("-F", output.format_template, "Output template with mosquitto's %/@ specifiers (see man mqtk-sub)")->group(group);
  app.add_flag("--json", output.json, "One JSON object per message per line (JSON Lines)")->group(group)->excludes(format);
  app.add_flag("--pretty", output.pretty, "Indent JSON output (--json, %j, %J)")->group(group);
}

std::unique_ptr<MessageFormatter> make_stdout_formatter(OutputOptions output) {
  output.escape_binary = isatty(STDOUT_FILENO) != 0;
  return make_formatter(output);
}

}  // namespace mqtk::cli
