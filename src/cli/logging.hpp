#pragma once
// Diagnostics go to stderr through one spdlog logger installed by the CLI entry point:
// "mqtk: error: ..." lines always, info with -d, debug/trace with -d -d; --quiet keeps errors
// only. Colour only on a terminal and never when NO_COLOR is set.

#include <string>

namespace mqtk::cli {

struct LoggingFlags {
  int debug = 0;  // count of -d
  bool quiet = false;
  std::string log_level;  // overrides -d/--quiet: trace, debug, info, warn, error, off
};

void configure_logging(const LoggingFlags& flags);

}  // namespace mqtk::cli
