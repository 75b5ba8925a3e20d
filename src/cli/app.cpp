#include "cli/app.hpp"

#include <csignal>
#include <cstdio>
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
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  app.fallthrough();
  LoggingFlags logging;
  app.add_flag("-d,--debug", logging.debug, "More diagnostics on stderr (repeat for more)")->group("Output");
  app.add_flag("--quiet", logging.quiet, "Only errors on stderr")->group("Output");
  app.add_option("--log-level", logging.log_level, "trace, debug, info, warn, error or off")->group("Output");

  std::vector<Command> commands;
  commands.push_back(setup_conn(app));
  commands.push_back(setup_sub(app));
  commands.push_back(setup_pub(app));
  commands.push_back(setup_rr(app));
  commands.push_back(setup_bridge(app));
  commands.push_back(setup_bench(app));
  commands.push_back(setup_generate(app));

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
