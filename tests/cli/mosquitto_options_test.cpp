// mosquitto's option files, read line by line as mosquitto's client_config_load reads them.
#include <doctest/doctest.h>

#include "cli/mosquitto_options.hpp"
#include "support/process.hpp"

using mqtk::cli::load_mosquitto_options;
using mqtk::cli::mosquitto_options_path;
using mqtk::test::TempDir;

TEST_SUITE_BEGIN("cli.mosquitto_options");

TEST_CASE("each command reads the file of mosquitto's client for the same job") {
  CHECK(mosquitto_options_path("/c", "sub") == "/c/mosquitto_sub");
  CHECK(mosquitto_options_path("/c", "pub") == "/c/mosquitto_pub");
  CHECK(mosquitto_options_path("/c", "rr") == "/c/mosquitto_rr");
  CHECK_FALSE(mosquitto_options_path("/c", "conn").has_value());
}

TEST_CASE("one option per line, the rest of the line its argument; comments and blanks skipped") {
  TempDir dir;
  const auto path = dir.write_file("mosquitto_sub",
                                   "# my broker\n-h broker.lan\r\n\n--will-payload going away now\n-v\n  -p 1884\n");
  const auto layer = load_mosquitto_options(path);
  REQUIRE(layer);
  CHECK(layer->skip_unknown);
  REQUIRE(layer->settings.size() == 4);
  CHECK(layer->settings[0].option == "-h");
  CHECK(layer->settings[0].values == std::vector<std::string>{"broker.lan"});
  CHECK(layer->settings[0].origin == path.string() + ":2");
  CHECK(layer->settings[1].option == "--will-payload");
  CHECK(layer->settings[1].values == std::vector<std::string>{"going away now"});
  CHECK(layer->settings[2].option == "-v");
  CHECK(layer->settings[2].values.empty());
  CHECK(layer->settings[3].option == "-p");
  CHECK(layer->settings[3].origin == path.string() + ":6");
}

TEST_CASE("a missing file gives nothing") {
  TempDir dir;
  CHECK_FALSE(load_mosquitto_options(dir.path() / "mosquitto_pub").has_value());
}
