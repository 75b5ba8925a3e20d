// `cmake --install --component library` into a temporary prefix, then a separate project
// (tests/install/consumer) finds it with find_package(mqtk), links mqtk::core, and runs.

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "support/broker_fixture.hpp"
#include "support/process.hpp"

using namespace mqtk::test;

TEST_CASE("the installed library builds and runs a consumer project") {
  const TempDir work("mqtk-install");
  const std::filesystem::path prefix = work.path() / "prefix";
  const std::filesystem::path consumer_build = work.path() / "consumer-build";

  const ProcessResult installed =
      run_process({MQTK_CMAKE_COMMAND, "--install", MQTK_BUILD_DIR, "--prefix", prefix.string(),
                   "--component", "library"},
                  {}, std::chrono::seconds{60});
  INFO(describe(installed));
  REQUIRE(installed.ok());
  CHECK(std::filesystem::exists(prefix / "include/mqtk/client.hpp"));
  // Internal headers stay internal.
  CHECK_FALSE(std::filesystem::exists(prefix / "include/mqtk/client_impl.hpp"));
  CHECK_FALSE(std::filesystem::exists(prefix / "include/core"));

  const ProcessResult configured = run_process(
      {MQTK_CMAKE_COMMAND, "-S", std::string(MQTK_SOURCE_DIR) + "/tests/install/consumer", "-B",
       consumer_build.string(), "-G", MQTK_CMAKE_GENERATOR,
       "-DCMAKE_MAKE_PROGRAM=" MQTK_CMAKE_MAKE_PROGRAM, "-DCMAKE_CXX_COMPILER=" MQTK_CXX_COMPILER,
       "-DCMAKE_PREFIX_PATH=" + prefix.string()},
      {}, std::chrono::seconds{120});
  INFO(describe(configured));
  REQUIRE(configured.ok());
  const ProcessResult built =
      run_process({MQTK_CMAKE_COMMAND, "--build", consumer_build.string(), "-j2"}, {},
                  std::chrono::seconds{120});
  INFO(describe(built));
  REQUIRE(built.ok());

  BrokerFixture broker;
  const ProcessResult ran = run_process(
      {(consumer_build / "consumer").string(), broker.host(), std::to_string(broker.port())});
  INFO(describe(ran));
  REQUIRE(ran.ok());
  CHECK(ran.out.find("matches: 1\n") != std::string::npos);
  CHECK(ran.out.find("received: installed\n") != std::string::npos);
}
