// The mqtk binary loads paho only when a run uses the paho engine (src/cli/paho_engine_loader.cpp):
// what the process has mapped shows it, and a binary without its module says so in one line.

#include "cli/sub_harness.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

using namespace mqtk::test;
using namespace mqtk::test::sub;

namespace {

// `env MQTK_ENGINE=ENGINE mqtk sub ...` with client id `id`, waiting until it has subscribed.
ChildProcess start_sub_with_engine(const BrokerFixture& broker, const std::string& id,
                                   const std::string& engine) {
  return start_sub_argv(broker, id, joined({"env", "MQTK_ENGINE=" + engine}, sub_argv(broker, id, {"-t", "loader/#"})));
}

}  // namespace

TEST_CASE("a run on mqtk's own engine does not load paho; MQTK_ENGINE=paho loads its module") {
  BrokerFixture broker;

  ChildProcess native = start_sub_with_engine(broker, unique_id("loader-native"), "auto");
  const std::string native_maps = mapped_files(native.pid());
  REQUIRE(!native_maps.empty());
  CHECK(native_maps.find("libpaho") == std::string::npos);
  CHECK(native_maps.find("mqtk-paho.so") == std::string::npos);

  ChildProcess paho = start_sub_with_engine(broker, unique_id("loader-paho"), "paho");
  const std::string paho_maps = mapped_files(paho.pid());
  CHECK(paho_maps.find("mqtk-paho.so") != std::string::npos);
  CHECK(paho_maps.find("libpaho-mqttpp3") != std::string::npos);

  // Both work: one message reaches each.
  publish(broker, {"-t", "loader/one", "-m", "hello"});
  CHECK(native.read_line(5s) == std::optional<std::string>("hello"));
  CHECK(paho.read_line(5s) == std::optional<std::string>("hello"));
}

TEST_CASE("without its module the paho engine fails in one line; --version still works") {
  BrokerFixture broker;
  const TempDir dir("mqtk-lone");
  const std::filesystem::path lone = dir.path() / "mqtk";
  std::filesystem::copy_file(mqtk_binary_path(), lone);

  const ProcessResult version = run_process({lone.string(), "--version"});
  REQUIRE_MESSAGE(version.ok(), describe(version));
  CHECK(version.out.find("paho.mqtt.cpp not installed") != std::string::npos);

  const ProcessResult refused =
      run_process({"env", "MQTK_ENGINE=paho", lone.string(), "sub", "-h", broker.host(), "-p",
                   std::to_string(broker.port()), "-t", "loader/#", "-C", "1", "-W", "5"});
  CHECK_MESSAGE(refused.exit_code == 1, describe(refused));
  CHECK(refused.err.find("paho engine cannot be loaded") != std::string::npos);
  CHECK(refused.err.find("mqtk-paho.so") != std::string::npos);
  CHECK(count_of(refused.err, "\n") == 1);

  // mqtk's own engine needs no module.
  const ProcessResult native = run_process({"env", "MQTK_ENGINE=auto", lone.string(), "conn",
                                            "-h", broker.host(), "-p",
                                            std::to_string(broker.port())});
  CHECK_MESSAGE(native.ok(), describe(native));
}
