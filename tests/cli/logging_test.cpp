// Terminal manners of the diagnostics on stderr: coloured only on a terminal, never with
// NO_COLOR, levels from -d/--quiet/--log-level. The terminal is a real pseudo-terminal from
// util-linux's script(1), so the coloured case is seen, not assumed.
#include <doctest/doctest.h>

#include <string>

#include "support/free_port.hpp"
#include "support/process.hpp"

using mqtk::test::describe;
using mqtk::test::free_port;
using mqtk::test::mqtk_binary_path;
using mqtk::test::run_mqtk;
using mqtk::test::run_process;

TEST_SUITE_BEGIN("cli.logging");

namespace {

// `mqtk conn -d` to a port nobody listens on: an info line ("connecting to"), then an error.
std::string refused_conn_args() {
  return " conn -h 127.0.0.1 -p " + std::to_string(free_port()) + " -d";
}

// stdout and stderr of `env VARIABLES mqtk ARGS` run on a pseudo-terminal.
std::string on_terminal(const std::string& variables, const std::string& args) {
  const auto result = run_process(
      {"script", "-qec", "env TERM=xterm " + variables + " " + mqtk_binary_path() + args, "/dev/null"});
  REQUIRE_MESSAGE(result.out.find("connecting to") != std::string::npos, describe(result));
  return result.out;
}

}  // namespace

TEST_CASE("piped stderr is never coloured") {
  const auto result = run_mqtk({"conn", "-h", "127.0.0.1", "-p", std::to_string(free_port()), "-d"});
  CHECK_MESSAGE(result.exit_code == 3, describe(result));
  CHECK(result.err.find("mqtk: info: connecting to") != std::string::npos);
  CHECK(result.err.find('\x1b') == std::string::npos);
}

TEST_CASE("on a terminal the level is coloured, unless NO_COLOR is set and not empty") {
  CHECK(on_terminal("", refused_conn_args()).find("\x1b[") != std::string::npos);
  CHECK(on_terminal("NO_COLOR=", refused_conn_args()).find("\x1b[") != std::string::npos);
  const std::string plain = on_terminal("NO_COLOR=1", refused_conn_args());
  CHECK(plain.find('\x1b') == std::string::npos);
  CHECK(plain.find("mqtk: info: connecting to") != std::string::npos);
}

TEST_CASE("--quiet and --log-level choose what stderr gets") {
  const std::string port = std::to_string(free_port());
  const auto quiet = run_mqtk({"conn", "-h", "127.0.0.1", "-p", port, "-d", "--quiet", "--log-level", "error"});
  CHECK(quiet.err.find("info") == std::string::npos);
  CHECK(quiet.err.find("mqtk: error:") != std::string::npos);
  const auto bad = run_mqtk({"conn", "--log-level", "loud"});
  CHECK_MESSAGE(bad.exit_code == 2, describe(bad));
  CHECK(bad.err == "mqtk: error: --log-level 'loud' (expected trace, debug, info, warn, error or off)\n");
}
