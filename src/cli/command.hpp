#pragma once
// What every subcommand gets from the entry point, and what it gives back: its CLI11
// subcommand and the function that runs it once the command line is parsed.

#include <chrono>
#include <cstddef>
#include <functional>

#include "cli/connection_flags.hpp"
#include "cli/exit_code.hpp"
#include "cli/signals.hpp"
#include "cli/stdout_writer.hpp"

namespace CLI {
class App;
}

namespace mqtk {
class Client;
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

// Disconnects `client` (waiting up to `grace` for QoS>0 acknowledgements; any still missing
// turn the exit code into 4) and ends the process at once, skipping paho's destroy path that
// costs 100-200 ms per run (PERF-NOTES gotcha 4). stdout is unbuffered, so nothing is lost.
[[noreturn]] ExitCode finish_client(Client& client, ExitCode code,
                                    std::chrono::milliseconds grace = std::chrono::seconds(5));
// The same end without a Client (the one-shot `pub` direct path): `unacknowledged` QoS>0
// messages are reported and turn the exit code into 4, then output is flushed and the process
// ends.
[[noreturn]] ExitCode finish_process(ExitCode code, std::size_t unacknowledged = 0);

// One per subcommand, each in its own file pair.
Command setup_conn(CLI::App& parent);
Command setup_sub(CLI::App& parent);
Command setup_pub(CLI::App& parent);
Command setup_rr(CLI::App& parent);
Command setup_bridge(CLI::App& parent);
// `bench conn|pub|sub|merge` (bench.cpp, bench_run.cpp).
Command setup_bench(CLI::App& parent);
// Hidden: completions and man pages generated from `parent`'s tree (src/cli/docs/).
Command setup_generate(CLI::App& parent);

}  // namespace mqtk::cli
