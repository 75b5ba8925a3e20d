// `mqtk bridge` between two real brokers: one-way with remap, per-rule QoS, retained messages and
// MQTT 5 properties carried; two-way with overlapping filters (each message crosses once and
// never comes back); a config file with two rules and --json-stats; usage errors.

#include "cli/bridge_harness.hpp"

#include <csignal>

using namespace mqtk::test;
using namespace mqtk::test::bridge;
using nlohmann::json;

namespace {

ChildProcess start_receiver(const BrokerFixture& broker, const std::string& id) {
  return sub::start_sub(broker, id, {"-V", "5", "--json", "--rap", "-q", "1", "-t", "#"});
}

void publish_v5(const BrokerFixture& broker, std::vector<std::string> args) {
  sub::publish(broker, joined({"-V", "5", "-q", "1"}, args));
}

json find_topic(const std::vector<json>& got, const std::string& topic) {
  for (const json& m : got)
    if (m.at("topic") == topic) return m;
  return nullptr;
}

}  // namespace

TEST_CASE("one way: remap, per-rule QoS, retained messages and v5 properties carried; unmatched topics stay") {
  BrokerFixture from;
  BrokerFixture to;
  publish_v5(from, {"-t", "sensors/retained", "-m", "kept", "-r"});
  ChildProcess receiver = start_receiver(to, "bridge-recv-1");
  ChildProcess bridge = start_bridge(from, to, "oneway",
                                     {"-t", "sensors/#", "--remap", "sensors/=site-a/sensors/",
                                      "-t", "plain/#", "-q", "0", "--stats", "60"},
                                     2);
  publish_v5(from, {"-t", "other/x", "-m", "not bridged"});
  publish_v5(from, {"-t", "sensors/props", "-m", "with properties",
                    "-D", "publish", "content-type", "text/plain",
                    "-D", "publish", "user-property", "k", "v1",
                    "-D", "publish", "user-property", "k", "v2",
                    "-D", "publish", "correlation-data", "corr-17",
                    "-D", "publish", "response-topic", "replies/here",
                    "-D", "publish", "message-expiry-interval", "100"});
  sub::publish(from, {"-t", "plain/bytes", "-q", "1", "-s"}, std::string("a\0b\xff", 4));
  publish_v5(from, {"-t", "sensors/last", "-m", "end"});

  auto got = read_json_until(receiver, [](const std::vector<json>& g) {
    return !g.empty() && g.back().at("topic") == "site-a/sensors/last";
  });
  bridge.signal(SIGINT);
  const ProcessResult stopped = bridge.wait(10s);
  INFO(describe(stopped));
  CHECK(stopped.exit_code == 0);

  std::string topics;
  for (const json& m : got) topics += m.at("topic").get<std::string>() + " ";
  INFO("received: " << topics);
  REQUIRE(got.size() == 4);  // retained, props, bytes, last: never other/x
  const json retained = find_topic(got, "site-a/sensors/retained");
  REQUIRE(retained != nullptr);
  CHECK(retained.at("retain") == true);
  CHECK(retained.at("payload") == "kept");

  const json props = find_topic(got, "site-a/sensors/props");
  REQUIRE(props != nullptr);
  CHECK(props.at("qos") == 1);
  CHECK(props.at("retain") == false);
  const json& p = props.at("properties");
  CHECK(p.at("content_type") == "text/plain");
  CHECK(p.at("correlation_data") == "corr-17");
  CHECK(p.at("response_topic") == "replies/here");
  CHECK(p.at("user_properties") == json::array({json::array({"k", "v1"}), json::array({"k", "v2"})}));
  const int expiry = p.at("message_expiry_interval").get<int>();
  CHECK(expiry <= 100);
  CHECK(expiry >= 90);
  CHECK_FALSE(p.contains("subscription_identifiers"));

  const json bytes = find_topic(got, "plain/bytes");
  REQUIRE(bytes != nullptr);
  CHECK(bytes.at("qos") == 0);  // the rule's QoS caps it
  CHECK(bytes.at("payload_encoding") == "base64");
  CHECK(bytes.at("payload") == "YQBi/w==");
  // The final --stats line counts what crossed.
  CHECK(contains(stopped.err, "forwarded 4 from->to, 0 to->from"));
}

TEST_CASE("two way with overlapping filters: every message crosses once and never comes back") {
  BrokerFixture from;
  BrokerFixture to;
  ChildProcess at_from = start_receiver(from, "bridge-recv-from");
  ChildProcess at_to = start_receiver(to, "bridge-recv-to");
  ChildProcess bridge = start_bridge(from, to, "twoway",
                                     {"-t", "#", "-t", "a/+", "--reverse", "#", "--reverse", "b/#",
                                      "--json-stats", "--stats", "60"},
                                     2, 2);
  std::string a_lines, b_lines;
  for (int i = 0; i < 20; ++i) a_lines += "a" + std::to_string(i) + "\n";
  for (int i = 0; i < 30; ++i) b_lines += "b" + std::to_string(i) + "\n";
  sub::publish(from, {"-V", "5", "-q", "1", "-t", "a/x", "-l"}, a_lines);
  sub::publish(to, {"-V", "5", "-q", "1", "-t", "b/y", "-l"}, b_lines);

  auto everything = [](const std::vector<json>& g) { return g.size() >= 50; };
  const auto seen_from = read_json_until(at_from, everything);
  const auto seen_to = read_json_until(at_to, everything);
  bridge.signal(SIGTERM);
  const ProcessResult stopped = bridge.wait(10s);
  INFO(describe(stopped));
  REQUIRE(stopped.exit_code == 0);
  // After the drain the bridge's own count is final: an echo would have crossed again.
  const json stats = last_stats(stopped.out);
  CHECK(stats.at("forwarded").at("from_to") == 20);
  CHECK(stats.at("forwarded").at("to_from") == 30);
  CHECK(stats.at("final") == true);
  CHECK(stats.at("undelivered") == 0);

  for (const auto* seen : {&seen_from, &seen_to}) {
    std::multiset<std::string> payloads;
    for (const json& m : *seen) payloads.insert(m.at("payload").get<std::string>());
    CHECK(seen->size() == 50);
    for (int i = 0; i < 20; ++i) CHECK(payloads.count("a" + std::to_string(i)) == 1);
    for (int i = 0; i < 30; ++i) CHECK(payloads.count("b" + std::to_string(i)) == 1);
  }
  // The copies that crossed carry the origin marker.
  for (const json& m : seen_to)
    if (m.at("topic") == "a/x")
      CHECK(m.at("properties").at("user_properties") == json::array({json::array({"mqtk-bridge", "twoway"})}));
}

TEST_CASE("a config file with two rules and --json-stats") {
  BrokerFixture from;
  BrokerFixture to;
  TempDir dir("mqtk-bridge-config");
  const auto config = dir.write_file("bridge.json", json{
      {"from", {{"url", from.url()}, {"reconnect-min", 0.1}}},
      {"to", {{"host", to.host()}, {"port", to.port()}, {"protocol-version", "5"}}},
      {"rules", json::array({json{{"topic", "in/#"}, {"remap", "in/=site/in/"}},
                             json{{"reverse", "cmd/#"}, {"qos", 0}}})},
      {"name", "configured"}}.dump());
  ChildProcess at_from = start_receiver(from, "bridge-cfg-from");
  ChildProcess at_to = start_receiver(to, "bridge-cfg-to");
  ChildProcess bridge(joined({mqtk_binary_path(), "bridge", "--config", config.string(), "--json-stats",
                              "--stats", "0.2"}, {}));
  REQUIRE(sub::wait_for_log_count(from, sub::suback_line("mqtk-bridge-configured-from"), 1));
  REQUIRE(sub::wait_for_log_count(to, sub::suback_line("mqtk-bridge-configured-to"), 1));
  publish_v5(from, {"-t", "in/t", "-m", "up"});
  publish_v5(to, {"-t", "cmd/go", "-m", "down"});
  const auto up = read_json_until(at_to, [](const std::vector<json>& g) { return g.size() >= 2; });
  const auto down = read_json_until(at_from, [](const std::vector<json>& g) { return g.size() >= 2; });
  // A periodic record, then the final one at exit.
  REQUIRE(bridge.read_line(5s).has_value());
  bridge.signal(SIGINT);
  const ProcessResult stopped = bridge.wait(10s);
  INFO(describe(stopped));
  CHECK(stopped.exit_code == 0);
  REQUIRE(up.size() == 2);
  CHECK(find_topic(up, "site/in/t") != nullptr);
  REQUIRE(down.size() == 2);
  const json command = find_topic(down, "cmd/go");
  REQUIRE(command != nullptr);
  CHECK(command.at("qos") == 0);
  const json stats = last_stats(stopped.out);
  CHECK(stats.at("forwarded") == json{{"from_to", 1}, {"to_from", 1}});
}

TEST_CASE("usage errors name the flag and exit 2; an unreachable broker exits 3") {
  BrokerFixture broker;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::string url = broker.url();
  const std::vector<Case> cases = {
      {{"--from", url, "-t", "a/#"}, "needs the destination broker: --to URL"},
      {{"--from", url, "--to", url}, "needs at least one rule"},
      {{"--from", url, "--to", url, "-t", "a/#", "--remap", "no-equals"}, "--remap 'no-equals': expected OLD_PREFIX=NEW_PREFIX"},
      {{"--from", url, "--to", url, "-t", "a/#", "--remap", "a/=b/#"}, "a prefix cannot hold + or #"},
      {{"--from", url, "--to", url, "-t", "a/#/b"}, "-t 'a/#/b'"},
      {{"--from", url, "--to", url, "--from-url", url, "-t", "a"}, "--from cannot be combined with --from-url"},
      {{"--from", url, "--to", url, "-V", "5", "-t", "a"}, "-V"},
      {{"--from", url, "--to", url, "--from-protocol-version", "3.1.1", "-t", "x/#", "--reverse", "x/y"},
       "a two-way bridge needs MQTT 5 on both sides"},
      {{"--from", url, "--to", url, "-t", "a", "--max-queued", "0"}, "--max-queued must be 1 or more"},
      {{"--config", "/nonexistent/bridge.json"}, "--config '/nonexistent/bridge.json': cannot be read"},
  };
  for (const Case& c : cases) {
    const ProcessResult result = run_mqtk(joined({"bridge"}, c.args));
    INFO(describe(result));
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, c.message));
    CHECK(sub::lines_of(result.err).size() <= 2);
  }
  TempDir dir("mqtk-bridge-config");
  const auto bad_key = dir.write_file("bad.json", R"({"from": {"url": "mqtt://x", "colour": "red"}})");
  const ProcessResult unknown = run_mqtk({"bridge", "--config", bad_key.string(), "--to", url, "-t", "a"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "from.colour: unknown key"));
  // An unreachable broker: status 3, naming the side.
  const ProcessResult refused = run_mqtk({"bridge", "--from", "mqtt://127.0.0.1:1", "--to", url, "-t", "a"});
  INFO(describe(refused));
  CHECK(refused.exit_code == 3);
  CHECK(contains(refused.err, "from side"));
}

TEST_CASE("--help: the per-side flags say MQTT 5 is the default and name no MQTK_* variable") {
  // The sides read no environment (one MQTK_HOST cannot say which broker it means).
  const ProcessResult bridge_help = run_mqtk({"bridge", "--help"});
  REQUIRE(bridge_help.exit_code == 0);
  CHECK_FALSE(contains(bridge_help.out, "$MQTK_"));
  CHECK(contains(bridge_help.out, "default: mqttv5"));
  CHECK_FALSE(contains(bridge_help.out, "default: mqttv311"));
  const ProcessResult rr_help = run_mqtk({"rr", "--help"});
  CHECK(contains(rr_help.out, "default: mqttv5"));
  CHECK(contains(rr_help.out, "$MQTK_HOST"));
  const ProcessResult sub_help = run_mqtk({"sub", "--help"});
  CHECK(contains(sub_help.out, "default: mqttv311"));
}
