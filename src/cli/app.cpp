#include "cli/app.hpp"

#include <array>
#include <csignal>
#include <cstdio>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/command.hpp"
#include "cli/connection_config.hpp"
#include "cli/logging.hpp"
#include "cli/standard_streams.hpp"
#include <mqtk/library_info.hpp>

namespace mqtk::cli {
namespace {

std::string version_text() {
  return "mqtk " + core_version() + " (paho.mqtt.cpp " + paho_cpp_version() + ", paho.mqtt.c " +
         paho_c_version() + ")";
}

void print_error(const std::string& message) {
  // Before logging is configured (usage errors) spdlog may not be set up yet: plain stderr.
  std::fprintf(stderr, "mqtk: error: %s\n", message.c_str());
}

struct SubcommandSetup {
  std::string_view name;
  Command (*setup)(CLI::App&);
};

constexpr std::array<SubcommandSetup, 7> subcommand_setups{{
    {"conn", setup_conn},
    {"sub", setup_sub},
    {"pub", setup_pub},
    {"rr", setup_rr},
    {"bridge", setup_bridge},
    {"bench", setup_bench},
    {"generate", setup_generate},  // also `completions`: needs the whole tree anyway
}};

// The subcommand the command line runs: its first word that is neither an option of mqtk itself
// nor --log-level's value (`mqtk -d pub ...`); nullptr when there is none or it is unknown.
const SubcommandSetup* named_subcommand(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--log-level") {
      ++i;
      continue;
    }
    if (word.starts_with('-')) continue;
    for (const SubcommandSetup& setup : subcommand_setups)
      if (setup.name == word && setup.name != "generate") return &setup;
    return nullptr;
  }
  return nullptr;
}

}  // namespace

int run(int argc, char** argv) {
  hold_closed_standard_streams();  // before the first descriptor of our own is opened
  // A closed stdout must surface as EPIPE from write(), not kill us (RELIABILITY P22).
  std::signal(SIGPIPE, SIG_IGN);
  SignalWatcher signals;  // before any other thread exists, so all of them inherit the mask
  StdoutWriter out;
  CommandContext context{signals, out, process_environment()};

  CLI::App app{"mqtk: the MQTT toolkit for the shell", "mqtk"};
  // -h is the broker host in every MQTT CLI; help is --help only (set before subcommands,
  // which inherit it).
  app.set_help_flag("--help", "Print this help and exit");
  app.set_version_flag("--version", version_text);  // a callback: asking paho for its version loads the paho engine
  app.require_subcommand(1);
  app.fallthrough();
  LoggingFlags logging;
  app.add_flag("-d,--debug", logging.debug, "More diagnostics on stderr (repeat for more)")->group("Output");
  app.add_flag("--quiet", logging.quiet, "Only errors on stderr")->group("Output");
  app.add_option("--log-level", logging.log_level, "trace, debug, info, warn, error or off")->group("Output");

  // Only the subcommand the command line names is built when it names one: CLI11 building all
  // seven trees (hundreds of options) costs ~1.7 ms (`mqtk --version` 6.1 ms, `mqtk pub
  // --version` 4.4 ms), a third of a one-shot `mqtk pub` on the direct path (README "mqtk
  // pub"). Help, `generate` and anything unrecognised still get them all.
  std::vector<Command> commands;
  if (const SubcommandSetup* named = named_subcommand(argc, argv)) {
    commands.push_back(named->setup(app));
  } else {
    for (const SubcommandSetup& setup : subcommand_setups) commands.push_back(setup.setup(app));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    std::fprintf(stderr, "Run 'mqtk --help' or 'mqtk <command> --help' for the options.\n");
    return to_int(ExitCode::usage);
  }

  try {
    configure_logging(logging);
    for (Command& command : commands)
      if (command.app->parsed()) return to_int(command.run(context));
  } catch (const ConfigPrintout& printout) {
    out.write(printout.text());
    return to_int(ExitCode::ok);
  } catch (const ConnectError& e) {
    // A SIGINT/SIGTERM during the connect cancels it (the commands' handlers call stop()): the
    // user stopped unfinished work (130/143), not "could not connect" (3).
    if (const int signal = signals.received()) return to_int(exit_code_for_signal(signal));
    print_error(e.what());
    return to_int(ExitCode::connect);
  } catch (const Error& e) {
    print_error(e.what());
    return to_int(exit_code_for(e.category()));
  } catch (const std::exception& e) {
    print_error(e.what());
    return to_int(ExitCode::runtime);
  }
  return to_int(ExitCode::usage);
}

}  // namespace mqtk::cli
