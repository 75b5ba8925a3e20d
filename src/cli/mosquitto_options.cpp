#include "cli/mosquitto_options.hpp"

#include <fstream>

namespace mqtk::cli {

std::optional<std::filesystem::path> mosquitto_options_path(const std::filesystem::path& config_dir,
                                                            const std::string& command) {
  if (command == "sub" || command == "pub" || command == "rr") return config_dir / ("mosquitto_" + command);
  return std::nullopt;
}

std::optional<ConfigLayer> load_mosquitto_options(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  ConfigLayer layer;
  layer.skip_unknown = true;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    if (line.starts_with('#')) continue;
    // As mosquitto's strtok(line, " ") then strtok(NULL, ""): the option ends at the first space
    // after it, and the rest of the line is its one argument (leading spaces dropped).
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    const auto end = line.find(' ', start);
    ConfigSetting setting{line.substr(start, end - start), {}, path.string() + ":" + std::to_string(number)};
    if (end != std::string::npos) {
      const auto argument = line.find_first_not_of(' ', end);
      if (argument != std::string::npos) setting.values.push_back(line.substr(argument));
    }
    layer.settings.push_back(std::move(setting));
  }
  return layer;
}

}  // namespace mqtk::cli
