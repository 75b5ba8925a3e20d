#include "cli/logging.hpp"

#include <cstdlib>
#include <unistd.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mqtk/error.hpp>

namespace mqtk::cli {

void configure_logging(const LoggingFlags& flags) {
  // no-color.org: NO_COLOR set to anything but the empty string turns colour off.
  const char* no_color = std::getenv("NO_COLOR");
  const bool colour = isatty(STDERR_FILENO) && !(no_color && *no_color);
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
      colour ? spdlog::color_mode::automatic : spdlog::color_mode::never);
  auto logger = std::make_shared<spdlog::logger>("mqtk", std::move(sink));
  logger->set_pattern("mqtk: %^%l%$: %v");
  spdlog::level::level_enum level = spdlog::level::warn;
  if (flags.quiet) level = spdlog::level::err;
  if (flags.debug == 1) level = spdlog::level::info;
  if (flags.debug >= 2) level = spdlog::level::debug;
  if (flags.debug >= 3) level = spdlog::level::trace;
  if (!flags.log_level.empty()) {
    level = spdlog::level::from_str(flags.log_level);
    if (level == spdlog::level::off && flags.log_level != "off")
      throw UsageError("--log-level '" + flags.log_level +
                       "' (expected trace, debug, info, warn, error or off)");
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace mqtk::cli
