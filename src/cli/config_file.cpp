#include "cli/config_file.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

using nlohmann::json;

// Settings naming a file may start with ~/ (JSON has no shell to expand it).
bool names_a_path(const std::string& key) {
  return key == "cafile" || key == "capath" || key == "cert" || key == "key" ||
         key == "password-file";
}

std::string scalar_text(const json& value, const std::string& origin) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return value.dump();
  throw UsageError(origin + ": expected a string or a number, not " + value.dump());
}

ConfigSetting setting_from_json(const std::string& key, const json& value, const std::string& origin,
                                const EnvironmentLookup& environment) {
  // "password" reads better in a file than mosquitto's flag name --pw.
  ConfigSetting setting{"--" + (key == "password" ? std::string("pw") : key), {}, origin};
  if (value.is_boolean()) {
    // false is the built-in default of every flag except --reconnect, which has --no-reconnect.
    if (key == "reconnect") setting.option = value.get<bool>() ? "--reconnect" : "--no-reconnect";
    else if (!value.get<bool>()) setting.option.clear();
    return setting;
  }
  if (value.is_array()) {  // the words of one occurrence: ["connect", "user-property", "k", "v"]
    for (const json& word : value) setting.values.push_back(scalar_text(word, origin));
    return setting;
  }
  std::string text = scalar_text(value, origin);
  if (names_a_path(key) && text.starts_with("~/"))
    if (auto home = environment("HOME")) text = *home + text.substr(1);
  setting.values.push_back(std::move(text));
  return setting;
}

ConfigLayer layer_from_json(const json& section, const std::string& where,
                            const EnvironmentLookup& environment) {
  if (!section.is_object()) throw UsageError(where + ": expected an object of settings");
  ConfigLayer layer;
  for (const auto& [key, value] : section.items()) {
    const std::string origin = where + "." + key;
    if (key == "profile" || key == "print-config")
      throw UsageError(origin + ": '" + key + "' is not a setting a config file can hold");
    // A repeatable flag: one occurrence per item ("ws-header": ["A: 1", "B: 2"]), an item
    // being an array when the flag takes several words ("property": [["connect", ...]]).
    if (value.is_array()) {
      for (const json& occurrence : value)
        layer.settings.push_back(setting_from_json(key, occurrence, origin, environment));
    } else {
      ConfigSetting setting = setting_from_json(key, value, origin, environment);
      if (!setting.option.empty()) layer.settings.push_back(std::move(setting));
    }
  }
  return layer;
}

std::string profile_names(const json& profiles) {
  std::string names;
  for (const auto& [name, section] : profiles.items()) names += (names.empty() ? "" : ", ") + name;
  return names.empty() ? "none defined" : "defined: " + names;
}

}  // namespace

std::optional<std::filesystem::path> user_config_dir(const EnvironmentLookup& environment) {
  if (auto xdg = environment("XDG_CONFIG_HOME"); xdg && std::filesystem::path(*xdg).is_absolute())
    return std::filesystem::path(*xdg);
  if (auto home = environment("HOME")) return std::filesystem::path(*home) / ".config";
  return std::nullopt;
}

MqtkConfig load_mqtk_config(const std::filesystem::path& path, const std::string& command,
                            const std::optional<ProfileChoice>& profile,
                            const EnvironmentLookup& environment) {
  MqtkConfig config;
  config.path = path;
  std::ifstream in(path);
  config.exists = static_cast<bool>(in);
  if (!config.exists) {
    if (profile)
      throw UsageError(profile->chosen_by + " '" + profile->name + "': there is no config file " +
                       path.string() + " to define it");
    return config;
  }
  std::stringstream text;
  text << in.rdbuf();
  json document;
  try {
    document = json::parse(text.str());
  } catch (const json::parse_error& e) {
    throw UsageError(path.string() + ": not valid JSON: " + e.what());
  }
  const std::string file = path.string() + ": ";
  if (!document.is_object()) throw UsageError(file + "expected a JSON object");
  for (const auto& [key, value] : document.items())
    if (key != "defaults" && key != "commands" && key != "profiles")
      throw UsageError(file + "unknown section '" + key + "' (expected defaults, commands, profiles)");

  if (document.contains("defaults"))
    config.defaults = layer_from_json(document["defaults"], file + "defaults", environment);
  if (document.contains("commands")) {
    const json& commands = document["commands"];
    if (!commands.is_object()) throw UsageError(file + "commands: expected an object");
    if (commands.contains(command))
      config.command = layer_from_json(commands[command], file + "commands." + command, environment);
  }
  if (profile) {
    const json profiles = document.value("profiles", json::object());
    if (!profiles.is_object()) throw UsageError(file + "profiles: expected an object");
    if (!profiles.contains(profile->name))
      throw UsageError(profile->chosen_by + " '" + profile->name + "': no such profile in " +
                       path.string() + " (" + profile_names(profiles) + ")");
    config.profile = layer_from_json(profiles[profile->name], file + "profiles." + profile->name,
                                     environment);
  }
  return config;
}

}  // namespace mqtk::cli
