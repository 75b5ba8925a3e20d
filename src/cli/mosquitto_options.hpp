#pragma once
// mosquitto's client option files, read so that a user switching from mosquitto_sub keeps their
// setup: $XDG_CONFIG_HOME/mosquitto_sub (default ~/.config/mosquitto_sub), mosquitto_pub,
// mosquitto_rr. One option per line as on the command line ("-h broker", "--cafile /ca.pem"):
// the option, a space, and the rest of the line as its one argument; lines starting with '#'
// are comments (mosquitto's client_config_load reads them the same way).

#include <filesystem>
#include <optional>
#include <string>

#include "cli/config_file.hpp"

namespace mqtk::cli {

// The file mosquitto's client of the same job reads: mosquitto_sub for `mqtk sub`, ...;
// nullopt for commands mosquitto has no client for.
std::optional<std::filesystem::path> mosquitto_options_path(const std::filesystem::path& config_dir,
                                                            const std::string& command);

// Its options, each with "FILE:LINE" as origin; nullopt when the file does not exist.
std::optional<ConfigLayer> load_mosquitto_options(const std::filesystem::path& path);

}  // namespace mqtk::cli
