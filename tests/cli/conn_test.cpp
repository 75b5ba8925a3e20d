// mqtk conn against a real broker: the CONNACK report, and each way a connect can fail with its
// exit status and the words that say why.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/broker_fixture.hpp"
#include "support/free_port.hpp"
#include "support/process.hpp"

using mqtk::test::BrokerFixture;
using mqtk::test::BrokerOptions;
using mqtk::test::free_port;
using mqtk::test::run_mqtk;

TEST_SUITE_BEGIN("cli.conn");

TEST_CASE("conn prints what the broker granted, as text and as JSON") {
  BrokerFixture broker;
  const std::string port = std::to_string(broker.port());

  const auto text = run_mqtk({"conn", "-h", "127.0.0.1", "-p", port, "-i", "conn-test"});
  REQUIRE_MESSAGE(text.exit_code == 0, describe(text));
  CHECK(text.out.find("client id: conn-test\n") != std::string::npos);
  CHECK(text.out.find("protocol version: 3.1.1\n") != std::string::npos);
  CHECK(text.out.find("session present: false\n") != std::string::npos);
  CHECK(text.err.empty());

  const auto json = run_mqtk({"conn", "-L", "mqtt://127.0.0.1:" + port, "-V", "5", "--json"});
  REQUIRE_MESSAGE(json.exit_code == 0, describe(json));
  const auto report = nlohmann::json::parse(json.out);
  CHECK(report["protocol_version"] == "5");
  CHECK(report["session_present"] == false);
  CHECK(report["broker"] == "mqtt://127.0.0.1:" + port);
  CHECK(report.contains("receive_maximum"));
}

TEST_CASE("conn reports session present for a persistent session") {
  BrokerFixture broker;
  const std::string port = std::to_string(broker.port());
  const std::vector<std::string> args{"conn", "-p", port, "-h", "127.0.0.1", "-c", "-i", "keeper", "--json"};
  REQUIRE(run_mqtk(args).exit_code == 0);
  const auto second = run_mqtk(args);
  REQUIRE_MESSAGE(second.exit_code == 0, describe(second));
  CHECK(nlohmann::json::parse(second.out)["session_present"] == true);
}

TEST_CASE("conn failures exit 3 and say why") {
  SUBCASE("nothing listening") {
    const auto r = run_mqtk({"conn", "-h", "127.0.0.1", "-p", std::to_string(free_port())});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("connection refused") != std::string::npos);
    CHECK(r.out.empty());
  }
  SUBCASE("unknown host") {
    const auto r = run_mqtk({"conn", "-h", "no.such.host.invalid"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("could not resolve host 'no.such.host.invalid'") != std::string::npos);
  }
  SUBCASE("wrong password, v3 and v5") {
    BrokerOptions options;
    options.auth = true;
    BrokerFixture broker(options);
    const std::string port = std::to_string(broker.port());
    const auto v3 = run_mqtk({"conn", "-h", "127.0.0.1", "-p", port, "-u", "mqtk", "-P", "wrong"});
    CHECK(v3.exit_code == 3);
    CHECK_MESSAGE(v3.err.find("refused by broker: not authorized (CONNACK 5)") != std::string::npos, v3.err);
    const auto v5 = run_mqtk({"conn", "-h", "127.0.0.1", "-p", port, "-V", "5", "-u", "mqtk", "-P", "wrong"});
    CHECK(v5.exit_code == 3);
    CHECK_MESSAGE(v5.err.find("refused by broker: not authorized (reason 0x87)") != std::string::npos, v5.err);
    const auto right = run_mqtk({"conn", "-h", "127.0.0.1", "-p", port, "-u", "mqtk", "--password-file", "/dev/stdin"},
                                "secret\n");
    CHECK_MESSAGE(right.exit_code == 0, describe(right));
  }
  SUBCASE("TLS with the wrong CA names the verification failure; the right CA works") {
    BrokerOptions options;
    options.tls = true;
    BrokerFixture broker(options);
    const std::string port = std::to_string(broker.tls_port());
    const auto wrong = run_mqtk({"conn", "-h", "127.0.0.1", "-p", port, "--cafile", broker.wrong_ca_file()});
    CHECK(wrong.exit_code == 3);
    CHECK_MESSAGE(wrong.err.find("certificate verify failed") != std::string::npos, wrong.err);
    const auto right = run_mqtk({"conn", "-h", "127.0.0.1", "-p", port, "--cafile", broker.ca_file()});
    CHECK_MESSAGE(right.exit_code == 0, describe(right));
    const auto insecure = run_mqtk({"conn", "-h", "127.0.0.1", "-p", port, "--cafile", broker.wrong_ca_file(), "--insecure"});
    CHECK_MESSAGE(insecure.exit_code == 0, describe(insecure));
  }
}

TEST_CASE("usage errors exit 2 before connecting and name the flag") {
  struct Case {
    std::vector<std::string> args;
    std::string words;
  };
  const Case cases[] = {
      {{"conn", "-k", "2"}, "-k/--keepalive 2 is out of range 5..65535"},
      {{"conn", "-p", "70000"}, "-p/--port 70000 is out of range 1..65535"},
      {{"conn", "-V", "6"}, "invalid protocol version '6'"},
      {{"conn", "-c"}, "-c/--disable-clean-session needs a client id"},
      {{"conn", "-x", "60"}, "needs MQTT 5"},
      {{"conn", "-L", "http://x"}, "unknown scheme 'http'"},
      {{"conn", "--will-payload", "x"}, "need --will-topic"},
      {{"conn", "--will-topic", "a/+"}, "--will-topic 'a/+'"},
      {{"conn", "-D", "connect", "bogus", "1", "-V", "5"}, "unknown or read-only property 'bogus'"},
      {{"conn", "--no-such-flag"}, "--no-such-flag"},
      {{"conn", "--cafile", "/nonexistent/ca.pem"}, "/nonexistent/ca.pem"},
      {{"conn", "-P", "x"}, "a password needs a user name"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.words);
    const auto r = run_mqtk(c.args);
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find(c.words) != std::string::npos, r.err);
    CHECK(r.err.find("mqtk: error: ") == 0);
  }
}

TEST_CASE("--help and --version") {
  const auto help = run_mqtk({"--help"});
  CHECK(help.exit_code == 0);
  for (const char* command : {"conn", "sub", "pub", "rr"}) CHECK(help.out.find(command) != std::string::npos);
  const auto sub_help = run_mqtk({"sub", "--help"});
  CHECK(sub_help.exit_code == 0);
  CHECK(sub_help.out.find("-h,--host") != std::string::npos);
  const auto version = run_mqtk({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.find("paho.mqtt.cpp 1.2") != std::string::npos);
  CHECK(version.out.find("paho.mqtt.c 1.3") != std::string::npos);
}

TEST_SUITE_END();
