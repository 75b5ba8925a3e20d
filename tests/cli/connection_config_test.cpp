// The user's configuration completing the connection flags: precedence (flag > environment >
// profile > command section or mosquitto's file > defaults > built-in), settings that only come
// together, errors naming the file, --print-config, and `mqtk conn`/`pub` against a real broker
// using what the files say.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/connection_config.hpp"
#include <mqtk/error.hpp>
#include "support/broker_fixture.hpp"
#include "support/process.hpp"

using mqtk::UsageError;
using mqtk::cli::ConfigPrintout;
using mqtk::cli::ConnectionFlags;
using mqtk::cli::resolve_client_options;
using mqtk::test::BrokerFixture;
using mqtk::test::BrokerOptions;
using mqtk::test::describe;
using mqtk::test::run_mqtk;
using mqtk::test::TempDir;

TEST_SUITE_BEGIN("cli.connection_config");

namespace {

// A temporary XDG_CONFIG_HOME and the environment a command would see.
struct ConfigHome {
  TempDir dir{"mqtk-config"};
  std::map<std::string, std::string> variables{{"XDG_CONFIG_HOME", dir.path().string()}};

  void write_config(const std::string& json) const {
    std::filesystem::create_directories(dir.path() / "mqtk");
    dir.write_file("mqtk/config.json", json);
  }
  mqtk::cli::EnvironmentLookup environment() const {
    return [variables = variables](const char* name) -> std::optional<std::string> {
      auto it = variables.find(name);
      if (it == variables.end()) return std::nullopt;
      return it->second;
    };
  }
};

ConnectionFlags flags_for(const std::string& command) {
  ConnectionFlags flags;
  flags.command = command;
  return flags;
}

std::string usage_error(const ConnectionFlags& flags, const ConfigHome& home) {
  try {
    resolve_client_options(flags, home.environment());
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

// Sets environment variables for the mqtk processes a test starts, restoring them after.
class ScopedEnvironment {
 public:
  void set(const std::string& name, const std::string& value) {
    if (!saved_.contains(name)) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value) ::setenv(name.c_str(), value->c_str(), 1);
      else ::unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

}  // namespace

TEST_CASE("each source overrides the ones below it: flag, environment, profile, command, defaults") {
  ConfigHome home;
  home.write_config(R"({
    "defaults": {"host": "defaults.lan", "keepalive": 20, "id-prefix": "def"},
    "commands": {"sub": {"host": "command.lan", "keepalive": 30}},
    "profiles": {"lab": {"host": "profile.lan"}}
  })");
  auto host_of = [&](const ConnectionFlags& flags) {
    return resolve_client_options(flags, home.environment()).client.broker.host;
  };
  ConnectionFlags pub = flags_for("pub");
  CHECK(host_of(pub) == "defaults.lan");
  ConnectionFlags sub = flags_for("sub");
  CHECK(host_of(sub) == "command.lan");
  CHECK(resolve_client_options(sub, home.environment()).client.keepalive_s == 30);
  CHECK(resolve_client_options(sub, home.environment()).client.id_prefix == "def");
  sub.profile = "lab";
  CHECK(host_of(sub) == "profile.lan");
  home.variables["MQTK_HOST"] = "environment.lan";
  CHECK(host_of(sub) == "environment.lan");
  sub.host = "flag.lan";
  CHECK(host_of(sub) == "flag.lan");

  ConnectionFlags chosen_by_variable = flags_for("pub");
  home.variables.erase("MQTK_HOST");
  home.variables["MQTK_PROFILE"] = "lab";
  CHECK(host_of(chosen_by_variable) == "profile.lan");
  chosen_by_variable.profile = "missing";  // --profile wins over MQTK_PROFILE
  CHECK(usage_error(chosen_by_variable, home).starts_with("--profile 'missing': no such profile"));
}

TEST_CASE("a command's own default protocol version (rr, bridge: 5) yields to the files") {
  ConfigHome home;
  home.write_config(R"({"profiles": {"old": {"protocol-version": "3.1.1"}}})");
  ConnectionFlags rr = flags_for("rr");
  rr.default_version = mqtk::ProtocolVersion::v5;
  CHECK(resolve_client_options(rr, home.environment()).client.version == mqtk::ProtocolVersion::v5);
  rr.profile = "old";
  CHECK(resolve_client_options(rr, home.environment()).client.version == mqtk::ProtocolVersion::v311);
  // ... so mqtk rr refuses the profile's 3.1.1 instead of silently using 5.
  ScopedEnvironment environment;
  environment.set("XDG_CONFIG_HOME", home.dir.path().string());
  const auto refused = run_mqtk({"rr", "--profile", "old", "-t", "req", "-e", "resp", "-m", "x"});
  CHECK_MESSAGE(refused.exit_code == 2, describe(refused));
  CHECK(refused.err.find("needs MQTT 5") != std::string::npos);
}

TEST_CASE("mosquitto's option file counts only when config.json has no section for the command") {
  ConfigHome home;
  home.dir.write_file("mosquitto_sub", "-h mosquitto.lan\n-v\n-p 1999\n");
  home.dir.write_file("mosquitto_pub", "-p nonsense\n");
  ConnectionFlags sub = flags_for("sub");
  auto resolved = resolve_client_options(sub, home.environment());
  CHECK(resolved.client.broker.host == "mosquitto.lan");  // -v, not a connection option, skipped
  CHECK(resolved.client.broker.port == 1999);

  home.write_config(R"({"defaults": {"host": "defaults.lan", "keepalive": 25}})");
  resolved = resolve_client_options(sub, home.environment());
  CHECK(resolved.client.broker.host == "mosquitto.lan");  // above the defaults section
  CHECK(resolved.client.keepalive_s == 25);

  home.write_config(R"({"commands": {"sub": {"keepalive": 30}}})");
  resolved = resolve_client_options(sub, home.environment());
  CHECK(resolved.client.broker.host == "localhost");  // the section replaces mosquitto's file
  CHECK(resolved.client.broker.port == 1883);

  const std::string pub_file = (home.dir.path() / "mosquitto_pub").string();
  CHECK(usage_error(flags_for("pub"), home).starts_with(pub_file + ":1: "));
}

TEST_CASE("settings that belong together come from one place") {
  ConfigHome home;
  home.write_config(R"({
    "defaults": {"host": "defaults.lan", "port": 1884, "username": "dora", "password": "d-pw",
                 "id-prefix": "def"},
    "profiles": {"url": {"url": "mqtts://url.lan"}, "user": {"username": "uma"}}
  })");
  ConnectionFlags url_flag = flags_for("sub");
  url_flag.url = "mqtt://flag.lan:1000";
  auto resolved = resolve_client_options(url_flag, home.environment());
  CHECK(resolved.client.broker.host == "flag.lan");  // not "-L cannot be combined with -h"
  CHECK(resolved.client.broker.port == 1000);
  CHECK_FALSE(resolved.client.username.has_value());  // nor the defaults' user and password
  CHECK_FALSE(resolved.client.password.has_value());

  ConnectionFlags url_profile = flags_for("sub");
  url_profile.profile = "url";
  resolved = resolve_client_options(url_profile, home.environment());
  CHECK(resolved.client.broker.host == "url.lan");
  CHECK(resolved.client.broker.port == 8883);

  ConnectionFlags other_user = flags_for("sub");
  other_user.profile = "user";  // dora's password is not uma's
  resolved = resolve_client_options(other_user, home.environment());
  CHECK(resolved.client.username == "uma");
  CHECK_FALSE(resolved.client.password.has_value());
  home.variables["MQTK_USERNAME"] = "eve";
  resolved = resolve_client_options(flags_for("sub"), home.environment());
  CHECK(resolved.client.username == "eve");
  CHECK_FALSE(resolved.client.password.has_value());

  ConnectionFlags with_id = flags_for("sub");
  with_id.id = "fixed";  // not "-i and -I cannot be combined"
  CHECK(resolve_client_options(with_id, home.environment()).client.client_id == "fixed");
}

TEST_CASE("a bad value from a file fails as the flag would, naming the file and setting") {
  ConfigHome home;
  const std::string file = (home.dir.path() / "mqtk/config.json").string();
  home.write_config(R"({"defaults": {"port": 99999}})");
  CHECK(usage_error(flags_for("sub"), home) ==
        "-p/--port 99999 is out of range 1..65535 (set in " + file + ": defaults.port)");
  home.write_config(R"({"profiles": {"p": {"tls-version": "ssl3"}}})");
  ConnectionFlags with_profile = flags_for("sub");
  with_profile.profile = "p";
  CHECK(usage_error(with_profile, home).starts_with(file + ": profiles.p.tls-version: --tls-version: "));
  home.write_config(R"({"defaults": {"hots": "x"}})");
  CHECK(usage_error(flags_for("sub"), home) == file + ": defaults.hots: '--hots' is not a connection option");
}

TEST_CASE("--print-config shows each value and its source, never the password") {
  ConfigHome home;
  home.write_config(R"({"profiles": {"lab": {"host": "lab.lan", "username": "u", "password": "hunter2"}}})");
  home.variables["MQTK_PORT"] = "1999";
  ConnectionFlags flags = flags_for("conn");
  flags.profile = "lab";
  flags.keepalive = 15;
  flags.print_config = true;
  std::string text;
  try {
    resolve_client_options(flags, home.environment());
  } catch (const ConfigPrintout& printout) {
    text = printout.text();
  }
  const std::string file = (home.dir.path() / "mqtk/config.json").string();
  CHECK(text.find("profile           lab                             --profile\n") != std::string::npos);
  CHECK(text.find("host              lab.lan                         " + file + ": profiles.lab.host\n") !=
        std::string::npos);
  CHECK(text.find("port              1999                            environment MQTK_PORT\n") != std::string::npos);
  CHECK(text.find("keepalive         15                              command line\n") != std::string::npos);
  CHECK(text.find("password          (set, not shown)") != std::string::npos);
  CHECK(text.find("protocol-version  3.1.1                           built-in default\n") != std::string::npos);
  CHECK(text.find("hunter2") == std::string::npos);
}

TEST_CASE("mqtk conn connects with the profile's host, port and credentials") {
  BrokerFixture broker({.auth = true});
  ConfigHome home;
  home.write_config(R"({
    "defaults": {"host": "127.0.0.1", "port": )" + std::to_string(broker.port()) +
                    R"(, "username": "mqtk", "password": "wrong"},
    "profiles": {"test": {"username": "mqtk", "password": "secret", "id-prefix": "from-profile"}}
  })");
  ScopedEnvironment environment;
  environment.set("XDG_CONFIG_HOME", home.dir.path().string());

  const auto refused = run_mqtk({"conn"});  // the defaults alone have the wrong password
  CHECK_MESSAGE(refused.exit_code == 3, describe(refused));

  const auto with_profile = run_mqtk({"conn", "--profile", "test", "--json"});
  REQUIRE_MESSAGE(with_profile.exit_code == 0, describe(with_profile));
  const auto report = nlohmann::json::parse(with_profile.out);
  CHECK(report["broker"] == broker.url());
  CHECK(report["client_id"].get<std::string>().starts_with("from-profile-"));

  environment.set("MQTK_PROFILE", "test");
  CHECK(run_mqtk({"conn"}).exit_code == 0);
  const auto flag_wins = run_mqtk({"conn", "-P", "wrong"});
  CHECK_MESSAGE(flag_wins.exit_code == 3, describe(flag_wins));

  const auto printed = run_mqtk({"conn", "--print-config"});
  REQUIRE_MESSAGE(printed.exit_code == 0, describe(printed));
  CHECK(printed.out.find("profile           test                            MQTK_PROFILE\n") != std::string::npos);
  CHECK(printed.out.find("secret") == std::string::npos);
  CHECK(broker.log().find("from-profile-") != std::string::npos);
}

TEST_CASE("mqtk pub reads mosquitto_pub's option file, as mosquitto_pub does") {
  BrokerFixture broker({.auth = true});
  ConfigHome home;
  home.dir.write_file("mosquitto_pub", "-h 127.0.0.1\n-p " + std::to_string(broker.port()) +
                                           "\n-u mqtk\n-P secret\n-q 1\n");
  ScopedEnvironment environment;
  environment.set("XDG_CONFIG_HOME", home.dir.path().string());

  const auto published = run_mqtk({"pub", "-t", "config/test", "-m", "from the file", "-r"});
  REQUIRE_MESSAGE(published.exit_code == 0, describe(published));
  CHECK(published.err.find("mosquitto_pub:5: '-q' is not a connection option") != std::string::npos);

  const auto received = run_mqtk({"sub", "-h", "127.0.0.1", "-p", std::to_string(broker.port()), "-u",
                                  "mqtk", "-P", "secret", "-t", "config/test", "-C", "1", "-W", "5"});
  REQUIRE_MESSAGE(received.exit_code == 0, describe(received));
  CHECK(received.out == "from the file\n");
}
