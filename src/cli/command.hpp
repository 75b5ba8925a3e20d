#pragma once
// What every subcommand gets from the entry point, and what it gives back: its CLI11
// subcommand and the function that runs it once the command line is parsed.

#include <functional>

#include "cli/connection_flags.hpp"
#include "cli/exit_code.hpp"
#include "cli/signals.hpp"
#include "cli/stdout_writer.hpp"

namespace CLI {
class App;
}

namespace mqtk::cli {

struct CommandContext {
  SignalWatcher& signals;
  StdoutWriter& out;
  EnvironmentLookup environment;
};

struct Command {
  CLI::App* app = nullptr;
  std::function<ExitCode(CommandContext&)> run;
};

// One per subcommand, each in its own file pair.
Command setup_conn(CLI::App& parent);

}  // namespace mqtk::cli
