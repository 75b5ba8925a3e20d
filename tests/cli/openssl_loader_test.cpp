// The mqtk binary loads OpenSSL only when a run needs TLS (src/cli/openssl_loader.cpp) and
// carries spdlog in itself (src/cli/spdlog_compiled.cpp): what the process has mapped shows it.

#include "cli/sub_harness.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mqtk::test;
using namespace mqtk::test::sub;

TEST_CASE("a plain TCP run maps neither OpenSSL nor spdlog's library; a TLS run loads OpenSSL") {
  BrokerFixture broker({.tls = true});

  const std::string plain_id = unique_id("openssl-plain");
  ChildProcess plain = start_sub(broker, plain_id, {"-t", "ssl/#"});
  const std::string plain_maps = mapped_files(plain.pid());
  REQUIRE(!plain_maps.empty());
  CHECK(plain_maps.find("libssl") == std::string::npos);
  CHECK(plain_maps.find("libcrypto") == std::string::npos);
  CHECK(plain_maps.find("libspdlog") == std::string::npos);

  const std::string tls_id = unique_id("openssl-tls");
  ChildProcess tls = start_sub_argv(
      broker, tls_id,
      {mqtk_binary_path(), "sub", "-h", "127.0.0.1", "-p", std::to_string(broker.tls_port()),
       "--cafile", broker.ca_file().string(), "-i", tls_id, "-t", "ssl/#"});
  const std::string tls_maps = mapped_files(tls.pid());
  CHECK(tls_maps.find("libssl.so.3") != std::string::npos);
  CHECK(tls_maps.find("libcrypto.so.3") != std::string::npos);

  // Both work, and a TLS failure is still worded by OpenSSL through the loaded functions.
  publish(broker, {"-t", "ssl/one", "-m", "hello"});
  CHECK(plain.read_line(5s) == std::optional<std::string>("hello"));
  CHECK(tls.read_line(5s) == std::optional<std::string>("hello"));

  // The system store does not know the test CA: OpenSSL's own words reach the user.
  const ProcessResult unverified = run_mqtk(
      {"pub", "-L", "mqtts://127.0.0.1:" + std::to_string(broker.tls_port()) + "/ssl/x", "-m", "x"});
  CHECK_MESSAGE(unverified.exit_code == 3, describe(unverified));
  CHECK(unverified.err.find("certificate verify failed") != std::string::npos);
}
