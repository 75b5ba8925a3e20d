// mqtk's config.json: sections, profiles, how values become flag words, and the errors that
// name the file and the setting.
#include <doctest/doctest.h>

#include <map>

#include "cli/config_file.hpp"
#include <mqtk/error.hpp>
#include "support/process.hpp"

using mqtk::UsageError;
using mqtk::cli::ConfigSetting;
using mqtk::cli::load_mqtk_config;
using mqtk::cli::ProfileChoice;
using mqtk::test::TempDir;

TEST_SUITE_BEGIN("cli.config_file");

namespace {

mqtk::cli::EnvironmentLookup environment(std::map<std::string, std::string> variables) {
  return [variables](const char* name) -> std::optional<std::string> {
    auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  };
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("the config directory is XDG_CONFIG_HOME when absolute, else ~/.config") {
  using mqtk::cli::user_config_dir;
  CHECK(user_config_dir(environment({{"XDG_CONFIG_HOME", "/x/conf"}, {"HOME", "/home/u"}})) == "/x/conf");
  CHECK(user_config_dir(environment({{"XDG_CONFIG_HOME", "relative"}, {"HOME", "/home/u"}})) == "/home/u/.config");
  CHECK(user_config_dir(environment({{"HOME", "/home/u"}})) == "/home/u/.config");
  CHECK_FALSE(user_config_dir(environment({})).has_value());
}

TEST_CASE("sections become flag words, with ~/ expanded in paths and booleans as flags") {
  TempDir dir;
  const auto path = dir.write_file("config.json", R"({
    "defaults": {"host": "broker.lan", "port": 1884, "insecure": true, "tls-use-os-certs": false,
                 "reconnect": false, "cafile": "~/ca.pem", "password": "pw",
                 "ws-header": ["A: 1", "B: 2"], "property": [["connect", "user-property", "k", "v"]]},
    "commands": {"sub": {"keepalive": 30}, "pub": {"keepalive": 40}},
    "profiles": {"lab": {"host": "lab.lan"}}
  })");
  const auto config = load_mqtk_config(path, "sub", ProfileChoice{"lab", "--profile"},
                                       environment({{"HOME", "/home/u"}}));
  REQUIRE(config.exists);
  REQUIRE(config.defaults);
  std::map<std::string, std::vector<std::vector<std::string>>> words;
  for (const ConfigSetting& s : config.defaults->settings) words[s.option].push_back(s.values);
  CHECK(words["--host"] == std::vector<std::vector<std::string>>{{"broker.lan"}});
  CHECK(words["--port"] == std::vector<std::vector<std::string>>{{"1884"}});
  CHECK(words["--insecure"] == std::vector<std::vector<std::string>>{{}});
  CHECK_FALSE(words.contains("--tls-use-os-certs"));  // false: the flag is simply not given
  CHECK(words["--no-reconnect"] == std::vector<std::vector<std::string>>{{}});
  CHECK(words["--cafile"] == std::vector<std::vector<std::string>>{{"/home/u/ca.pem"}});
  CHECK(words["--pw"] == std::vector<std::vector<std::string>>{{"pw"}});
  CHECK(words["--ws-header"] == std::vector<std::vector<std::string>>{{"A: 1"}, {"B: 2"}});
  CHECK(words["--property"] == std::vector<std::vector<std::string>>{{"connect", "user-property", "k", "v"}});

  REQUIRE(config.command);  // only this command's section
  REQUIRE(config.command->settings.size() == 1);
  CHECK(config.command->settings[0].values == std::vector<std::string>{"30"});
  CHECK(config.command->settings[0].origin == path.string() + ": commands.sub.keepalive");
  REQUIRE(config.profile);
  CHECK(config.profile->settings[0].values == std::vector<std::string>{"lab.lan"});
}

TEST_CASE("a missing file is no error unless a profile was asked for") {
  TempDir dir;
  const auto missing = dir.path() / "config.json";
  const auto config = load_mqtk_config(missing, "sub", std::nullopt, environment({}));
  CHECK_FALSE(config.exists);
  CHECK_FALSE(config.defaults);
  CHECK(error_of([&] { load_mqtk_config(missing, "sub", ProfileChoice{"lab", "MQTK_PROFILE"}, environment({})); })
            .starts_with("MQTK_PROFILE 'lab': there is no config file " + missing.string()));
}

TEST_CASE("errors name the file, the section and the setting") {
  TempDir dir;
  auto load = [&](const std::string& text, std::optional<ProfileChoice> profile = std::nullopt) {
    const auto path = dir.write_file("config.json", text);
    return error_of([&] { load_mqtk_config(path, "sub", profile, environment({})); });
  };
  const std::string file = (dir.path() / "config.json").string() + ": ";
  CHECK(load("{\"defaults\": {\"host\": ").starts_with(file + "not valid JSON"));
  CHECK(load("[]") == file + "expected a JSON object");
  CHECK(load(R"({"default": {}})") == file + "unknown section 'default' (expected defaults, commands, profiles)");
  CHECK(load(R"({"defaults": {"host": {"a": 1}}})") ==
        file + "defaults.host: expected a string or a number, not {\"a\":1}");
  CHECK(load(R"({"defaults": {"profile": "x"}})") ==
        file + "defaults.profile: 'profile' is not a setting a config file can hold");
  CHECK(load(R"({"profiles": {"a": {}, "b": {}}})", ProfileChoice{"c", "--profile"}) ==
        "--profile 'c': no such profile in " + (dir.path() / "config.json").string() + " (defined: a, b)");
}
