#pragma once
// Completes the connection flags a command was given from the user's configuration, keeping
// where each value came from. Precedence, highest first: the command line; the environment
// (MQTK_HOST, MQTK_PORT, MQTK_USERNAME, MQTK_PASSWORD, MQTK_PROXY); the chosen profile
// (--profile or $MQTK_PROFILE); config.json's section for the command, or else mosquitto's
// option file for it; config.json's defaults; mqtk's built-in defaults. Settings read from files
// are parsed by the very flags of the command line (add_connection_flags), so they mean the same
// and fail the same way, naming the file and setting or line.

#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/config_file.hpp"
#include "cli/connection_flags.hpp"

namespace mqtk::cli {

struct ConfiguredFlags {
  ConnectionFlags flags;  // the command line's flags, completed from the files
  // Long flag name ("host", "pw", "cafile") -> "command line", "environment MQTK_HOST", or the
  // origin of the file setting. Names missing here have their built-in default.
  std::map<std::string, std::string> sources;
  std::vector<std::string> files;  // the files looked for, each marked read or missing
  std::optional<ProfileChoice> profile;
};

ConfiguredFlags apply_configuration(const ConnectionFlags& given, const EnvironmentLookup& environment);

// --print-config: one line per effective value and where it came from. Passwords are never
// shown, only whether one is set and from where.
std::string describe_configuration(const ResolvedConnection& resolved, const ConfiguredFlags& configured);

// Thrown by resolve_client_options() when --print-config was given: the entry point writes the
// text to stdout and exits 0 instead of running the command.
class ConfigPrintout : public std::exception {
 public:
  explicit ConfigPrintout(std::string text) : text_(std::move(text)) {}
  const char* what() const noexcept override { return text_.c_str(); }
  const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
};

}  // namespace mqtk::cli
