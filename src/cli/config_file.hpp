#pragma once
// Settings a user keeps instead of typing them. mqtk's own file,
// $XDG_CONFIG_HOME/mqtk/config.json (default ~/.config/mqtk/config.json):
//   {"defaults": {...}, "commands": {"sub": {...}}, "profiles": {"lab": {...}}}
// each section mapping a connection flag's long name to its value ("host": "broker.lab",
// "port": 8883, "cafile": "~/ca.pem", "insecure": true). When it has no section for the command,
// mosquitto's option file for it is read instead (mosquitto_options.hpp), as mosquitto_sub does.
// A setting is kept as the flag it stands for, so the CLI11 flags parse it (connection_config).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/connection_flags.hpp"

namespace mqtk::cli {

// One setting as it would be typed on the command line, and where it was read.
struct ConfigSetting {
  std::string option;               // "--host", or as mosquitto's file spells it: "-h"
  std::vector<std::string> values;  // none for a flag
  std::string origin;               // "/home/u/.config/mqtk/config.json: profiles.lab.host"
};

// Settings from one source, in the order read.
struct ConfigLayer {
  std::vector<ConfigSetting> settings;
  // mosquitto's files hold options mqtk reads elsewhere or not at all (-v, -t ...): those are
  // skipped with a warning. In mqtk's own file an unknown name is an error.
  bool skip_unknown = false;
};

// Which profile the user chose, and how (for messages): --profile, or $MQTK_PROFILE.
struct ProfileChoice {
  std::string name;
  std::string chosen_by;  // "--profile", "MQTK_PROFILE"
};

// The directory of user configuration: $XDG_CONFIG_HOME, else $HOME/.config; nullopt without
// either (then no file is read).
std::optional<std::filesystem::path> user_config_dir(const EnvironmentLookup& environment);

// mqtk's file is missing: nothing is read. A profile chosen but not defined, malformed JSON or
// an unknown setting throw UsageError naming the file and the setting.
struct MqtkConfig {
  std::filesystem::path path;
  bool exists = false;
  std::optional<ConfigLayer> profile;
  std::optional<ConfigLayer> command;  // the "commands" section of this command
  std::optional<ConfigLayer> defaults;
};
MqtkConfig load_mqtk_config(const std::filesystem::path& path, const std::string& command,
                            const std::optional<ProfileChoice>& profile,
                            const EnvironmentLookup& environment);

}  // namespace mqtk::cli
