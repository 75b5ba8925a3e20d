// --proxy end to end with real proxies: dante-server (SOCKS5: socks5://, socks5h://, user name and
// password) and tinyproxy (HTTP CONNECT, mqtt:// and mqtts://). Refusals and dead proxies exit 3
// naming the proxy; MQTK_PROXY is the only environment variable that selects a proxy, and
// http_proxy / https_proxy (which paho.mqtt.c would otherwise fall back to) are ignored.

#include "cli/sub_harness.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "support/free_port.hpp"
#include "support/proxy_fixture.hpp"

using namespace mqtk::test;
using namespace mqtk::test::sub;

namespace {

#define SKIP_UNLESS(reason_or_null)             \
  if (const auto why_skip = (reason_or_null)) { \
    MESSAGE("skipped: " << *why_skip);          \
    return;                                     \
  }

std::vector<std::string> at(const std::string& host, std::uint16_t port) {
  return {"-h", host, "-p", std::to_string(port)};
}

// `env VAR=VALUE... mqtk ARGS...`: the variables only for that one process.
ProcessResult run_mqtk_with_env(const std::vector<std::string>& variables,
                                const std::vector<std::string>& args) {
  std::vector<std::string> argv{"env"};
  argv.insert(argv.end(), variables.begin(), variables.end());
  argv.push_back(mqtk_binary_path());
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, {}, 30s);
}

// Subscribes through `proxy`, publishes through it, and checks the message arrived.
void round_trip(const BrokerFixture& broker, const std::string& host, std::uint16_t port,
                const std::vector<std::string>& extra) {
  const std::string id = unique_id("proxied");
  const std::string topic = "proxy/" + id;
  const std::size_t before = count_of(broker.log(), suback_line(id));
  std::vector<std::string> sub{mqtk_binary_path(), "sub", "-i", id, "-t", topic, "-C", "1", "-W", "20"};
  sub = joined(joined(sub, at(host, port)), extra);
  ChildProcess subscriber(sub);
  if (!wait_for_log_count(broker, suback_line(id), before + 1, 20s)) {
    const ProcessResult early = subscriber.wait(1s);
    FAIL("mqtk sub did not subscribe through the proxy: " << describe(early));
  }
  const ProcessResult pub =
      run_mqtk(joined(joined({"pub", "-t", topic, "-m", "through " + host}, at(host, port)), extra));
  CHECK_MESSAGE(pub.ok(), describe(pub));
  const ProcessResult received = subscriber.wait(20s);
  CHECK_MESSAGE(received.ok(), describe(received) << "\n--- broker log ---\n" << broker.log());
  CHECK(received.out == "through " + host + "\n");
}

void check_connect_fails(const std::vector<std::string>& args,
                         const std::vector<std::string>& expected_texts) {
  const ProcessResult result = run_mqtk(joined({"conn"}, args));
  CHECK_MESSAGE(result.exit_code == 3, describe(result));
  for (const std::string& text : expected_texts) CHECK_MESSAGE(contains(result.err, text), describe(result));
}

}  // namespace

TEST_CASE("SOCKS5 through dante: sub and pub with socks5:// (address) and socks5h:// (name)") {
  SKIP_UNLESS(dante_unavailable());
  BrokerFixture broker;
  DanteProxy dante;
  round_trip(broker, "127.0.0.1", broker.port(), {"--proxy", dante.url("socks5")});
  round_trip(broker, "localhost", broker.port(), {"--proxy", dante.url("socks5h")});
}

TEST_CASE("SOCKS5 with user name and password (RFC 1929); a wrong password exits 3") {
  SKIP_UNLESS(socks_user_unavailable());
  BrokerFixture broker;
  DanteProxy dante({.auth = true});
  round_trip(broker, "127.0.0.1", broker.port(), {"--proxy", dante.url("socks5h")});
  const std::string wrong = "socks5://" + std::string(socks_username) + ":wrong@127.0.0.1:" +
                            std::to_string(dante.port());
  check_connect_fails(joined(at("127.0.0.1", broker.port()), {"--proxy", wrong}),
                      {"socks5://127.0.0.1:" + std::to_string(dante.port()),
                       "rejected the user name or password"});
}

TEST_CASE("mqtts:// through SOCKS5 verifies the broker's certificate") {
  SKIP_UNLESS(dante_unavailable());
  BrokerFixture broker({.tls = true});
  DanteProxy dante;
  round_trip(broker, "localhost", broker.tls_port(),
             {"--proxy", dante.url("socks5h"), "--cafile", broker.ca_file().string()});
  const ProcessResult wrong_ca = run_mqtk(joined(
      {"conn", "--proxy", dante.url("socks5h"), "--cafile", broker.wrong_ca_file().string()},
      at("localhost", broker.tls_port())));
  CHECK_MESSAGE(wrong_ca.exit_code == 3, describe(wrong_ca));
}

TEST_CASE("HTTP CONNECT through tinyproxy, for mqtt:// and mqtts://, with and without auth") {
  SKIP_UNLESS(tinyproxy_unavailable());
  BrokerFixture broker({.tls = true});
  const std::vector<std::uint16_t> ports{broker.port(), broker.tls_port()};
  Tinyproxy open_proxy({.connect_ports = ports});
  round_trip(broker, "127.0.0.1", broker.port(), {"--proxy", open_proxy.url()});
  round_trip(broker, "localhost", broker.tls_port(),
             {"--proxy", open_proxy.url(), "--cafile", broker.ca_file().string()});
  CHECK(contains(open_proxy.log(), "CONNECT localhost:" + std::to_string(broker.tls_port())));

  // tinyproxy takes only [A-Za-z0-9._-] in BasicAuth; the characters paho's proxy parser
  // trips over are covered in tests/core/socks5_relay_test.cpp.
  Tinyproxy auth_proxy({.connect_ports = ports, .basic_auth = {{"mqtk", "pw-1.x_y"}}});
  round_trip(broker, "127.0.0.1", broker.port(), {"--proxy", auth_proxy.url()});
  round_trip(broker, "localhost", broker.tls_port(),
             {"--proxy", auth_proxy.url(), "--cafile", broker.ca_file().string()});
  check_connect_fails(
      joined(at("127.0.0.1", broker.port()),
             {"--proxy", "http://127.0.0.1:" + std::to_string(auth_proxy.port())}),
      {"http://127.0.0.1:" + std::to_string(auth_proxy.port()), "requires authentication"});
}

TEST_CASE("through a relay nothing paho wrote is lost when mqtk pub exits right after it") {
  // mqtk ends with std::_Exit after disconnecting: bytes still inside the in-process relay
  // (a QoS 0 PUBLISH, the DISCONNECT) would die with it; disconnect() must wait for them.
  BrokerFixture broker;
  std::optional<DanteProxy> dante;
  if (!dante_unavailable()) dante.emplace();
  const std::string dead_proxy = "http_proxy=http://127.0.0.1:" + std::to_string(free_port());
  std::vector<std::string> ids;
  for (int batch = 0; batch < 10; ++batch) {
    std::vector<ChildProcess> pubs;
    for (int i = 0; i < 10; ++i) {
      const std::string id = unique_id("quick");
      ids.push_back(id);
      std::vector<std::string> argv{"env", dead_proxy, mqtk_binary_path(), "pub", "-i", id,
                                    "-t", "proxy/quick", "-m", id};
      argv = joined(argv, at("127.0.0.1", broker.port()));
      if (dante && i % 2 == 1) argv = joined(argv, {"--proxy", dante->url()});
      pubs.emplace_back(argv);
    }
    for (ChildProcess& pub : pubs) {
      const ProcessResult result = pub.wait(20s);
      CHECK_MESSAGE(result.ok(), describe(result));
    }
  }
  for (const std::string& id : ids) {
    CHECK_MESSAGE(wait_for_log_count(broker, "Received PUBLISH from " + id + " ", 1, 5s), id);
    CHECK_MESSAGE(wait_for_log_count(broker, "Received DISCONNECT from " + id + "\n", 1, 5s), id);
  }
}

TEST_CASE("a proxy that refuses the broker's port: exit 3 naming the proxy and its reason") {
  BrokerFixture broker;
  SUBCASE("dante rule") {
    SKIP_UNLESS(dante_unavailable());
    DanteProxy dante({.blocked_ports = {broker.port()}});
    check_connect_fails(joined(at("127.0.0.1", broker.port()), {"--proxy", dante.url()}),
                        {"through proxy " + dante.url(),
                         "SOCKS5 proxy refused the connection: connection not allowed by ruleset"});
  }
  SUBCASE("tinyproxy ConnectPort") {
    SKIP_UNLESS(tinyproxy_unavailable());
    Tinyproxy tinyproxy({.connect_ports = {1}});
    check_connect_fails(joined(at("127.0.0.1", broker.port()), {"--proxy", tinyproxy.url()}),
                        {"through proxy " + tinyproxy.url(), "refused CONNECT", "403"});
  }
}

TEST_CASE("a proxy nobody listens on: exit 3 naming it") {
  BrokerFixture broker;
  const std::string dead = "127.0.0.1:" + std::to_string(free_port());
  check_connect_fails(joined(at("127.0.0.1", broker.port()), {"--proxy", "socks5://" + dead}),
                      {"cannot reach SOCKS5 proxy " + dead, "connection refused"});
  check_connect_fails(joined(at("127.0.0.1", broker.port()), {"--proxy", "http://" + dead}),
                      {"cannot reach HTTP proxy " + dead, "connection refused"});
}

TEST_CASE("MQTK_PROXY selects a proxy; --proxy overrides it; a bad one is a usage error") {
  SKIP_UNLESS(dante_unavailable());
  BrokerFixture broker;
  DanteProxy dante({.blocked_ports = {broker.port()}});
  const std::vector<std::string> conn = joined({"conn"}, at("127.0.0.1", broker.port()));
  const ProcessResult refused = run_mqtk_with_env({"MQTK_PROXY=" + dante.url()}, conn);
  CHECK_MESSAGE(refused.exit_code == 3, describe(refused));  // the proxy was used: it refused
  CHECK(contains(refused.err, "through proxy " + dante.url()));

  DanteProxy open_dante;
  const ProcessResult overridden = run_mqtk_with_env(
      {"MQTK_PROXY=" + dante.url()}, joined(conn, {"--proxy", open_dante.url()}));
  CHECK_MESSAGE(overridden.ok(), describe(overridden));

  const ProcessResult bad = run_mqtk_with_env({"MQTK_PROXY=ftp://x:1"}, conn);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "MQTK_PROXY"));
}

TEST_CASE("http_proxy and https_proxy are ignored: mqtk connects directly") {
  BrokerFixture broker({.tls = true});
  const std::vector<std::string> plain = joined({"conn"}, at("127.0.0.1", broker.port()));
  const std::vector<std::string> tls = joined(
      {"conn", "--cafile", broker.ca_file().string()}, at("localhost", broker.tls_port()));
  const std::string dead = "http://127.0.0.1:" + std::to_string(free_port());
  // A dead proxy, an empty value, and credentials that would send paho's parser into an
  // endless loop ('%' without two hex digits): none of them may matter.
  for (const std::string& value : {dead, std::string(), "http://u:p%zz@" + dead.substr(7)}) {
    CAPTURE(value);
    for (const auto& args : {plain, tls}) {
      const ProcessResult result = run_mqtk_with_env({"http_proxy=" + value, "https_proxy=" + value}, args);
      CHECK_MESSAGE(result.ok(), describe(result));
    }
  }

  SKIP_UNLESS(tinyproxy_unavailable());
  Tinyproxy tinyproxy;  // a working proxy in the environment is not used either
  const ProcessResult direct = run_mqtk_with_env(
      {"http_proxy=" + tinyproxy.url(), "https_proxy=" + tinyproxy.url()}, plain);
  CHECK_MESSAGE(direct.ok(), describe(direct));
  CHECK_FALSE(contains(tinyproxy.log(), "CONNECT 127.0.0.1"));
  // ... and does not get in the way of the proxy that was asked for.
  if (!dante_unavailable()) {
    DanteProxy dante;
    const ProcessResult chosen = run_mqtk_with_env({"http_proxy=" + tinyproxy.url()},
                                                   joined(plain, {"--proxy", dante.url()}));
    CHECK_MESSAGE(chosen.ok(), describe(chosen));
    CHECK_FALSE(contains(tinyproxy.log(), "CONNECT 127.0.0.1"));
  }
}
