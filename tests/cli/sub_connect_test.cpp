// `mqtk sub` and the broker's door: TLS (--cafile), the will, and the exit-code contract for what
// goes wrong before messages flow (refused connections, bad credentials, denied subscriptions,
// usage errors that must be reported before any connection is tried).

#include "cli/sub_harness.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace mqtk::test;
using namespace mqtk::test::sub;

namespace {

// A port nothing listens on: usage errors must be reported before connecting, so a test
// that gets exit 3 ("could not connect") instead of 2 has caught a late check.
const std::vector<std::string> nowhere{"-h", "127.0.0.1", "-p", "1"};

std::filesystem::path dynamic_security_plugin() {
  for (const char* dir : {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"}) {
    const std::filesystem::path plugin =
        std::filesystem::path(dir) / "mosquitto_dynamic_security.so";
    if (std::filesystem::exists(plugin)) return plugin;
  }
  return {};
}

// mosquitto 2.0's acl_file never refuses a SUBSCRIBE (it filters at delivery); the dynamic
// security plugin does. Writes its config: user broker_username/broker_password may subscribe
// to allowed/# only.
std::filesystem::path write_dynsec_config(const TempDir& dir) {
  const auto path = dir.path() / "dynsec.json";
  const ProcessResult init =
      run_process({"mosquitto_ctrl", "dynsec", "init", path.string(), std::string(broker_username),
                   std::string(broker_password)});
  REQUIRE_MESSAGE(init.ok(), describe(init));
  nlohmann::json config = nlohmann::json::parse(read_file(path));
  config["roles"] = nlohmann::json::array(
      {{{"rolename", "reader"},
        {"acls",
         nlohmann::json::array(
             {{{"acltype", "subscribePattern"}, {"topic", "allowed/#"}, {"allow", true}}})}}});
  config["clients"][0]["roles"] = nlohmann::json::array({{{"rolename", "reader"}}});
  std::ofstream(path) << config.dump();
  return path;
}

}  // namespace

TEST_CASE("TLS: --cafile verifies the broker; the wrong CA exits 3 naming the TLS failure") {
  BrokerFixture broker({.tls = true});
  const std::string id = unique_id("tls");
  ChildProcess mqtk({mqtk_binary_path(), "sub", "-h", "127.0.0.1", "-p",
                     std::to_string(broker.tls_port()), "--cafile", broker.ca_file().string(), "-i",
                     id, "-t", "tls/a", "-C", "1"});
  REQUIRE(wait_for_log_count(broker, suback_line(id), 1));
  publish(broker, {"-t", "tls/a", "-m", "over tls"});
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out == "over tls\n");

  const ProcessResult url = run_mqtk(
      {"sub", "-L", broker.tls_url() + "/tls/b", "--cafile", broker.ca_file().string(), "-E"});
  INFO(describe(url));
  CHECK(url.exit_code == 0);

  const ProcessResult wrong_ca = run_mqtk({"sub", "-L", broker.tls_url() + "/tls/c", "--cafile",
                                           broker.wrong_ca_file().string(), "-E"});
  INFO(describe(wrong_ca));
  CHECK(wrong_ca.exit_code == 3);
  CHECK(contains(wrong_ca.err, "TLS"));
  CHECK(contains(wrong_ca.err, "certificate"));
}

TEST_CASE("--will-* reach the broker: a peer gets the will when mqtk dies") {
  BrokerFixture broker;
  ChildProcess peer = start_peer(broker, unique_id("peer"), {"-t", "will/t", "-v", "-C", "1"});
  const std::string id = unique_id("will");
  ChildProcess mqtk = start_sub(broker, id,
                                {"-t", "will/ignored", "--will-topic", "will/t", "--will-payload",
                                 "gone", "--will-qos", "1", "--will-retain"});
  CHECK(contains(broker.log(), "Will message specified (4 bytes) (r1, q1)."));
  mqtk.signal(SIGKILL);  // no DISCONNECT: the broker publishes the will
  const ProcessResult got = peer.wait(20s);
  INFO(describe(got));
  CHECK(got.exit_code == 0);
  CHECK(got.out == "will/t gone\n");
  const ProcessResult retained = run_process(joined(joined({"mosquitto_sub"}, broker_args(broker)),
                                                    {"-t", "will/t", "-C", "1", "-W", "5"}),
                                             {}, 10s);
  CHECK(retained.out == "gone\n");

  const ProcessResult orphan =
      run_mqtk(joined({"sub"}, joined(nowhere, {"-t", "a", "--will-payload", "x"})));
  CHECK(orphan.exit_code == 2);
  CHECK(contains(orphan.err, "--will-topic"));
}

TEST_CASE("could not connect: exit 3 with the reason") {
  SUBCASE("nothing listening") {
    BrokerFixture broker;
    broker.stop();
    const ProcessResult result =
        run_mqtk(joined({"sub"}, joined(broker_args(broker), {"-t", "a", "-C", "1"})));
    INFO(describe(result));
    CHECK(result.exit_code == 3);
    CHECK(contains(result.err, "connection refused"));
    CHECK(result.out.empty());
  }
  SUBCASE("no credentials for a broker that needs them (MQTT 3.1.1)") {
    BrokerFixture broker({.auth = true});
    const ProcessResult result =
        run_mqtk(joined({"sub"}, joined(broker_args(broker), {"-t", "a", "-C", "1"})));
    INFO(describe(result));
    CHECK(result.exit_code == 3);
    CHECK(contains(result.err, "not authorized (CONNACK 5)"));
  }
  SUBCASE("bad password (MQTT 3.1.1)") {
    BrokerFixture broker({.auth = true});
    const ProcessResult result = run_mqtk(
        joined({"sub"}, joined(broker_args(broker), {"-u", std::string(broker_username), "-P",
                                                     "wrong", "-t", "a", "-C", "1"})));
    INFO(describe(result));
    CHECK(result.exit_code == 3);
    CHECK(contains(result.err, "CONNACK"));
    CHECK(contains(result.err, "not authorized"));
  }
  SUBCASE("credentials in -L are used") {
    BrokerFixture broker({.auth = true});
    const ProcessResult result =
        run_mqtk({"sub", "-L",
                  "mqtt://" + std::string(broker_username) + ":" + std::string(broker_password) +
                      "@127.0.0.1:" + std::to_string(broker.port()) + "/a",
                  "-E"});
    INFO(describe(result));
    CHECK(result.exit_code == 0);
  }
}

// BUG (src/core/client.cpp Client::Impl::~Impl, reported): after "no CONNACK within ..." the
// Client is destroyed with the connect still in flight; paho's set_message_callback(nullptr)
// throws from the destructor and mqtk aborts (exit 134) instead of exiting 3.
TEST_CASE("a broker that never sends CONNACK: exit 3 after --connect-timeout") {
  BrokerFixture broker;
  broker.pause();  // the kernel still accepts the TCP connection
  const ProcessResult result = run_mqtk(joined(
      {"sub"}, joined(broker_args(broker), {"-t", "a", "-C", "1", "--connect-timeout", "1"})));
  broker.resume();
  INFO(describe(result));
  CHECK(result.exit_code == 3);
  CHECK(contains(result.err, "no CONNACK"));
}

// BUG (src/core/paho_convert.cpp describe_connect_failure, reported): for an MQTT 5 CONNACK
// refusal paho.mqtt.cpp 1.2.0 puts the reason code (0x87) in the return code and leaves the
// exception's reason code 0, so the message is paho's "MQTT error [135]: CONNACK return code"
// instead of "connection refused by broker: not authorized (reason 0x87)".
TEST_CASE("bad password (MQTT 5): exit 3 naming the CONNACK reason") {
  BrokerFixture broker({.auth = true});
  const ProcessResult result = run_mqtk(
      joined({"sub"}, joined(broker_args(broker), {"-V", "5", "-u", std::string(broker_username),
                                                   "-P", "wrong", "-t", "a", "-C", "1"})));
  INFO(describe(result));
  CHECK(result.exit_code == 3);
  CHECK(contains(result.err, "connection refused by broker"));
  CHECK(contains(result.err, "not authorized"));
}

TEST_CASE("a subscription the broker refuses exits 1 naming the filter") {
  const std::filesystem::path plugin = dynamic_security_plugin();
  if (plugin.empty()) {
    MESSAGE("mosquitto_dynamic_security.so not installed: skipped");
    return;
  }
  const TempDir dir("mqtk-dynsec");
  const auto config = write_dynsec_config(dir);
  BrokerFixture broker(
      {.extra_config = {"plugin " + plugin.string(), "plugin_opt_config_file " + config.string()}});
  const std::vector<std::string> login{"-u", std::string(broker_username), "-P",
                                       std::string(broker_password)};
  for (const char* version : {"3.1.1", "5"}) {
    CAPTURE(version);
    const ProcessResult result = run_mqtk(
        joined({"sub"}, joined(broker_args(broker), joined(login, {"-V", version, "-t", "allowed/x",
                                                                   "-t", "denied/y", "-C", "1"}))));
    INFO(describe(result));
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "'denied/y'"));
    CHECK_FALSE(contains(result.err, "allowed/x"));
  }
  const ProcessResult v5 =
      run_mqtk(joined({"sub"}, joined(broker_args(broker),
                                      joined(login, {"-V", "5", "-t", "denied/#", "-C", "1"}))));
  CHECK(contains(v5.err, "not authorized"));
  // The allowed filter alone works.
  const ProcessResult allowed = run_mqtk(
      joined({"sub"}, joined(broker_args(broker), joined(login, {"-t", "allowed/x", "-E"}))));
  CHECK(allowed.exit_code == 0);
}

TEST_CASE("usage errors exit 2 before connecting, naming what is wrong") {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases{
      {{"-t", "a/#/b"}, "a/#/b"},
      {{"-t", "a+/b"}, "a+/b"},
      {{"-t", ""}, "empty"},
      {{"-t", "$share/g"}, "$share/g"},
      {{"-t", "a", "-T", "x/#/y"}, "x/#/y"},
      {{"-t", "a", "-U", "u+"}, "u+"},
      {{"-t", "a", "-C", "0"}, "-C"},
      {{"-t", "a", "-q", "3"}, "qos"},
      {{"-t", "a", "-W", "0"}, "-W"},
      {{"-t", "a", "-F", "%Z"}, "%Z"},
      {{"-t", "a", "-x", "60"}, "-V 5"},
      {{}, "-t"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.says);
    const ProcessResult result = run_mqtk(joined(joined({"sub"}, nowhere), c.args));
    INFO(describe(result));
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, c.says));
    CHECK(result.out.empty());
  }
}

// The CONNECT `sub -V 5 -c` sends through `engine` (MQTK_ENGINE), as a raw listener captures it.
std::string captured_connect(const std::string& engine) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  std::string connect_packet;
  std::thread broker([&] {
    pollfd waiting{listener, POLLIN, 0};
    if (::poll(&waiting, 1, 10000) != 1) return;
    const int peer = ::accept(listener, nullptr, nullptr);
    pollfd readable{peer, POLLIN, 0};
    char bytes[256];
    if (::poll(&readable, 1, 10000) == 1) {
      const ssize_t n = ::recv(peer, bytes, sizeof bytes, 0);
      if (n > 0) connect_packet.assign(bytes, static_cast<std::size_t>(n));
    }
    ::close(peer);  // no CONNACK: the client gives up
  });
  const ProcessResult result = run_process(
      {"env", "MQTK_ENGINE=" + engine, mqtk_binary_path(), "sub", "-h", "127.0.0.1", "-p",
       std::to_string(ntohs(address.sin_port)), "-V", "5", "-c", "-i", "expiry-check", "-t", "a",
       "-C", "1", "--connect-timeout", "2"});
  broker.join();
  ::close(listener);
  INFO(describe(result));
  CHECK(result.exit_code == 3);
  return connect_packet;
}

// A persistent MQTT 5 session must never expire: property 0x11 (session expiry interval) with
// four bytes. mqtk's own engine sends 0xFFFFFFFF; paho.mqtt.c 1.3.11 wrote that as 00 00 00 ff
// (255 s: the session ended 4 minutes after a disconnect), so through paho the core clamps it
// to 0x7FFFFFFF, 68 years (paho_convert.cpp).
TEST_CASE("sub -V 5 -c sends a session expiry that never ends, through either engine") {
  const std::string mangled("\x11\x00\x00\x00\xff", 5);
  const std::string native = captured_connect("native");
  CHECK(native.find(std::string("\x11\xff\xff\xff\xff", 5)) != std::string::npos);
  CHECK(native.find(mangled) == std::string::npos);
  const std::string paho = captured_connect("paho");
  CHECK(paho.find(std::string("\x11\x7f\xff\xff\xff", 5)) != std::string::npos);
  CHECK(paho.find(mangled) == std::string::npos);
}
