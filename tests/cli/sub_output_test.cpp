// What `mqtk sub` prints: byte for byte what mosquitto_sub prints for the same messages (default,
// -v, -N, -F with each % specifier, widths, @ time specifiers and \ escapes), and the --json
// record (payload encodings, MQTT 5 properties, one flushed line per message, --pretty).

#include "cli/sub_harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

using namespace mqtk::test;
using namespace mqtk::test::sub;
using nlohmann::json;
using namespace std::string_literals;

namespace {

// One message for mosquitto_pub: its arguments and, for -s, its stdin.
struct Publication {
  std::vector<std::string> args;
  std::string stdin_data{};
};

const std::string binary_payload = "a\0b\xff\n\x1b[2J"s;

// The mixed set most comparisons use: text at QoS 1, binary with NUL, newline and an escape
// sequence, an empty payload, JSON at QoS 2. A retained message is published beforehand.
std::vector<Publication> mixed_messages() {
  return {{{"-t", "f/one", "-m", "hello", "-q", "1"}},
          {{"-t", "f/bin", "-s"}, binary_payload},
          {{"-t", "f/empty", "-n"}},
          {{"-t", "f/json", "-m", R"({"a":[1,2.5,"x"],"b":{"c":null}})", "-q", "2"}}};
}

struct Outputs {
  ProcessResult mqtk;
  ProcessResult mosquitto;
};

// Runs `mqtk sub` and `mosquitto_sub` side by side with the same flags on 'f/#', publishes
// `messages` (after a retained one when `retained`), and returns both outputs.
Outputs side_by_side(const std::vector<std::string>& flags,
                     const std::vector<Publication>& messages, bool retained = true) {
  BrokerFixture broker;
  if (retained) publish(broker, {"-t", "f/ret", "-m", "kept", "-r"});
  const std::string count = std::to_string(messages.size() + (retained ? 1 : 0));
  const auto args = joined({"-t", "f/#", "-q", "2", "-C", count}, flags);
  ChildProcess mqtk = start_sub(broker, unique_id("mqtk"), args);
  ChildProcess mosquitto = start_peer(broker, unique_id("mosq"), args);
  for (const Publication& message : messages) publish(broker, message.args, message.stdin_data);
  Outputs outputs{mqtk.wait(20s), mosquitto.wait(20s)};
  INFO("mqtk: " << describe(outputs.mqtk));
  INFO("mosquitto_sub: " << describe(outputs.mosquitto));
  CHECK(outputs.mqtk.exit_code == 0);
  CHECK(outputs.mosquitto.exit_code == 0);
  return outputs;
}

void check_same_output(const std::vector<std::string>& flags,
                       const std::vector<Publication>& messages, bool retained = true) {
  const Outputs outputs = side_by_side(flags, messages, retained);
  CHECK(outputs.mqtk.out == outputs.mosquitto.out);
  CHECK(!outputs.mqtk.out.empty());
}

// Digits become '9': times taken a few microseconds apart compare by their shape.
std::string shape(std::string text) {
  for (char& c : text)
    if (c >= '0' && c <= '9') c = '9';
  return text;
}

// Without the time of arrival and without mosquitto's "mid" (mqtk::Message has no packet id;
// a documented difference, mosquitto_json.hpp).
std::string without_tst(const std::string& text) {
  static const std::regex tst(R"("tst":"[^"]*")");
  static const std::regex mid(R"(,"mid":\d+)");
  return std::regex_replace(std::regex_replace(text, tst, R"("tst":"T")"), mid, "");
}

// "a b c" -> {"a", "b", "c"}.
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> result;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find(' ', start), text.size());
    if (end > start) result.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return result;
}

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> records;
  for (const std::string& line : lines_of(out)) records.push_back(json::parse(line));
  return records;
}

}  // namespace

TEST_CASE("default, -v, -N and -v -N print what mosquitto_sub prints, byte for byte") {
  for (const auto& flags :
       std::vector<std::vector<std::string>>{{}, {"-v"}, {"-N"}, {"-v", "-N"}}) {
    CAPTURE(flags.size());
    check_same_output(flags, mixed_messages());
  }
}

TEST_CASE("a binary payload with -v on a pipe is written unchanged") {
  BrokerFixture broker;
  ChildProcess mqtk = start_sub(broker, unique_id("bin"), {"-t", "b/x", "-v", "-C", "1"});
  publish(broker, {"-t", "b/x", "-s"}, binary_payload);
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out == "b/x " + binary_payload + "\n");
}

TEST_CASE("-F message fields match mosquitto_sub: %t %p %q %r %l %x %X") {
  check_same_output({"-F", "%t|%p|%q|%r|%l|%x|%X"}, mixed_messages());
}

TEST_CASE("-F widths, precision, alignment and %m match mosquitto_sub") {
  // QoS 0 only: mosquitto_sub's %m is the packet id, which mqtk does not have (it prints 0).
  check_same_output({"-F", "[%10t][%-10t][%.3t][%5l][%-5l][%05l][%10p][%-10p][%m]"},
                    {{{"-t", "f/ab", "-m", "ab"}}, {{"-t", "f/e", "-n"}}});
}

TEST_CASE("-F backslash escapes and %% match mosquitto_sub") {
  check_same_output({"-F", R"(%%|\t|\\|\e|\a|\v|\r|\0|\n|end)"}, {{{"-t", "f/x", "-m", "x"}}},
                    false);
}

TEST_CASE("-F %j and %J match mosquitto_sub apart from the time of arrival") {
  SUBCASE("%j") {
    const Outputs outputs =
        side_by_side({"-F", "%j"}, {{{"-t", "f/one", "-m", "hello", "-q", "1"}},
                                    {{"-t", "f/empty", "-n"}},
                                    {{"-t", "f/quote", "-m", "say \"hi\"\t\\ é"}},
                                    {{"-t", "f/json", "-m", R"({"a":[1,2]})", "-q", "2"}}});
    CHECK(without_tst(outputs.mqtk.out) == without_tst(outputs.mosquitto.out));
    CHECK(shape(outputs.mqtk.out).substr(0, 40) == shape(outputs.mosquitto.out).substr(0, 40));
  }
  SUBCASE("%J") {
    const Outputs outputs =
        side_by_side({"-F", "%J"},
                     {{{"-t", "f/obj", "-m", R"({"a":[1,2,{"b":"c"}],"d":true})"}},
                      {{"-t", "f/num", "-m", "42"}},
                      {{"-t", "f/str", "-m", R"("text")"}}},
                     false);
    CHECK(without_tst(outputs.mqtk.out) == without_tst(outputs.mosquitto.out));
  }
}

TEST_CASE("-F @ time specifiers, %I and %U have mosquitto_sub's shape") {
  const Outputs outputs = side_by_side({"-F", "@Y-@m-@dT@H:@M:@S|@@|@N|%I|%U|@a @b @j"},
                                       {{{"-t", "f/t", "-m", "x"}}}, false);
  CHECK(shape(outputs.mqtk.out) == shape(outputs.mosquitto.out));
  // The date itself agrees (both read the clock within the same second, bar a midnight tick).
  CHECK(outputs.mqtk.out.substr(0, 10) == outputs.mosquitto.out.substr(0, 10));
}

TEST_CASE("-F MQTT 5 property specifiers match mosquitto_sub: %A %C %D %E %F %P %R %S") {
  const std::vector<std::string> props = words(
      "-V 5 -D publish user-property k v1 -D publish user-property z z -D publish user-property k v2"
      " -D publish correlation-data corr -D publish content-type text/x"
      " -D publish response-topic r/t -D publish payload-format-indicator 1"
      " -D publish message-expiry-interval 600");
  const std::vector<std::string> v5_sub{"-V", "5", "-D", "subscribe", "subscription-identifier",
                                        "7"};
  SUBCASE("values, with and without properties") {
    check_same_output(
        joined(v5_sub, {"-F", "%A|%C|%D|%E|%F|%P|%R|%S"}),
        {{joined({"-t", "f/p", "-m", "with"}, props)}, {{"-V", "5", "-t", "f/p", "-m", "without"}}},
        false);
  }
  SUBCASE("widths and precision") {
    check_same_output(joined(v5_sub, {"-F", "%10C|%-6R|%.2C|%05E|%-5F|%5S|%3A|%-4A"}),
                      {{joined({"-t", "f/p", "-m", "with"}, props)}}, false);
  }
  SUBCASE("%j with properties: same fields; user properties keep order and repeats") {
    const Outputs outputs = side_by_side(joined(v5_sub, {"-F", "%j"}),
                                         {{joined({"-t", "f/p", "-m", "with"}, props)}}, false);
    json ours = json::parse(outputs.mqtk.out);
    json theirs = json::parse(outputs.mosquitto.out);
    ours.erase("tst");
    theirs.erase("tst");
    CHECK(ours == theirs);  // property order differs by design (mosquitto_json.hpp)
    CHECK(contains(outputs.mqtk.out, R"("user-properties":{"k":"v1","z":"z","k":"v2"})"));
  }
}

TEST_CASE("--json: payload as JSON, UTF-8 string or base64, with qos and retain") {
  BrokerFixture broker;
  publish(broker, {"-t", "j/ret", "-m", "kept", "-r"});
  ChildProcess mqtk =
      start_sub(broker, unique_id("json"), {"-t", "j/#", "-q", "2", "--json", "-C", "8"});
  publish(broker, {"-t", "j/obj", "-m", R"({"n":1,"s":"x"})", "-q", "1"});
  publish(broker, {"-t", "j/spaced", "-m", R"({"n": 1})"});
  publish(broker, {"-t", "j/utf8", "-m", "héllo ✓", "-q", "2"});
  publish(broker, {"-t", "j/bin", "-s"}, "\xff\xfe\x00\x01"s);
  publish(broker, {"-t", "j/num", "-m", "42"});
  publish(broker, {"-t", "j/empty", "-n"});
  publish(broker, {"-t", "j/lines", "-m", "{\n  \"a\": [1, 2]\n}\n"});
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  REQUIRE(result.exit_code == 0);
  CHECK(lines_of(result.out).size() == 8);  // one line per message, whatever the payload holds
  // By topic: paho hands a QoS 2 message over at PUBREL, after QoS 0 ones sent later.
  std::map<std::string, json> by_topic;
  std::map<std::string, std::string> line_of;
  for (const std::string& line : lines_of(result.out)) {
    const json record = json::parse(line);
    by_topic[record["topic"]] = record;
    line_of[record["topic"]] = line;
  }
  REQUIRE(by_topic.size() == 8);

  CHECK(by_topic["j/ret"]["payload"] == "kept");
  CHECK(by_topic["j/ret"]["payload_encoding"] == "utf8");
  CHECK(by_topic["j/ret"]["retain"] == true);
  CHECK(by_topic["j/ret"]["qos"] == 0);

  CHECK(by_topic["j/obj"]["payload"] == json{{"n", 1}, {"s", "x"}});
  CHECK(by_topic["j/obj"]["payload_encoding"] == "json");
  CHECK(by_topic["j/obj"]["qos"] == 1);
  CHECK(by_topic["j/obj"]["retain"] == false);
  CHECK(contains(line_of["j/obj"], R"("payload":{"n":1,"s":"x"})"));  // embedded as sent

  // JSON is embedded as written, whitespace and all; with a newline inside it is minified and
  // "payload_text" carries the exact bytes (json_format.hpp).
  CHECK(by_topic["j/spaced"]["payload"] == json{{"n", 1}});
  CHECK(by_topic["j/spaced"]["payload_encoding"] == "json");
  CHECK(contains(line_of["j/spaced"], R"("payload":{"n": 1},)"));
  CHECK_FALSE(by_topic["j/spaced"].contains("payload_text"));
  CHECK(by_topic["j/lines"]["payload"] == json{{"a", {1, 2}}});
  CHECK(by_topic["j/lines"]["payload_encoding"] == "json");
  CHECK(by_topic["j/lines"]["payload_text"] == "{\n  \"a\": [1, 2]\n}\n");
  CHECK(by_topic["j/utf8"]["payload"] == "héllo ✓");
  CHECK(by_topic["j/utf8"]["payload_encoding"] == "utf8");
  CHECK(by_topic["j/utf8"]["qos"] == 2);
  CHECK(by_topic["j/bin"]["payload"] == "//4AAQ==");
  CHECK(by_topic["j/bin"]["payload_encoding"] == "base64");
  CHECK(by_topic["j/num"]["payload"] == 42);
  CHECK(by_topic["j/num"]["payload_encoding"] == "json");
  CHECK(by_topic["j/empty"]["payload"] == "");
  for (const auto& [topic, record] : by_topic) {
    CAPTURE(topic);
    CHECK(record["received_at"].get<std::string>().ends_with("Z"));
    CHECK_FALSE(record.contains("properties"));  // MQTT 3.1.1: none
  }
}

TEST_CASE("--json: MQTT 5 properties, user properties as ordered pairs, binary correlation data") {
  BrokerFixture broker;
  ChildProcess mqtk = start_sub(broker, unique_id("props"),
                                {"-V", "5", "-t", "p/#", "--json", "-C", "2", "-D", "subscribe",
                                 "subscription-identifier", "9"});
  // The correlation data is not UTF-8 ("\xff\x01"), so it comes back as base64.
  publish(broker, joined(words("-V 5 -t p/a -m {} -q 1 -D publish user-property k v1"
                               " -D publish user-property z last? -D publish user-property k v2"
                               " -D publish content-type application/json"
                               " -D publish response-topic reply/here"
                               " -D publish payload-format-indicator 1"
                               " -D publish message-expiry-interval 600"),
                         {"-D", "publish", "correlation-data", "\xff\x01 binary"}));
  publish(broker,
          {"-V", "5", "-t", "p/b", "-m", "x", "-D", "publish", "correlation-data", "text id"});
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  REQUIRE(result.exit_code == 0);
  const std::vector<json> records = json_lines(result.out);
  REQUIRE(records.size() == 2);

  const json& p = records[0]["properties"];
  CHECK(p["user_properties"] == json::array({json::array({"k", "v1"}), json::array({"z", "last?"}),
                                             json::array({"k", "v2"})}));
  CHECK(p["correlation_data"] == "/wEgYmluYXJ5");  // base64 of "\xff\x01 binary"
  CHECK(p["correlation_data_encoding"] == "base64");
  CHECK(p["content_type"] == "application/json");
  CHECK(p["response_topic"] == "reply/here");
  CHECK(p["payload_format_indicator"] == 1);
  CHECK(p["message_expiry_interval"].get<int>() > 590);
  CHECK(p["subscription_identifiers"] == json::array({9}));
  CHECK(records[0]["payload"] == json::object());

  CHECK(records[1]["properties"]["correlation_data"] == "text id");
  CHECK_FALSE(records[1]["properties"].contains("correlation_data_encoding"));
}

TEST_CASE("--json writes each line as soon as the message arrives") {
  BrokerFixture broker;
  ChildProcess mqtk = start_sub(broker, unique_id("flush"), {"-t", "l/#", "--json"});
  publish(broker, {"-t", "l/1", "-m", "first"});
  // The second message is published only after the first line was read: a block-buffered
  // stdout would hold the first line back and this would time out.
  const auto first = mqtk.read_line(15s);
  REQUIRE(first.has_value());
  CHECK(json::parse(*first)["payload"] == "first");
  publish(broker, {"-t", "l/2", "-m", "second"});
  const auto second = mqtk.read_line(15s);
  REQUIRE(second.has_value());
  CHECK(json::parse(*second)["topic"] == "l/2");
  mqtk.signal(SIGINT);
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
}

TEST_CASE("--pretty indents --json records and -F %J") {
  const std::string payload = R"({"a":[1,{"b":2}]})";
  SUBCASE("--json --pretty") {
    BrokerFixture broker;
    ChildProcess mqtk =
        start_sub(broker, unique_id("pretty"), {"-t", "y", "--json", "--pretty", "-C", "2"});
    publish(broker, {"-t", "y", "-m", payload});
    publish(broker, {"-t", "y", "-m", "text"});
    const ProcessResult result = mqtk.wait(20s);
    INFO(describe(result));
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.starts_with("{\n  \"topic\": \"y\",\n  \"payload\": {\n    \"a\": [\n"));
    // Two multi-line objects, one after the other: a streaming parser reads them back.
    const auto second = result.out.find("\n}\n{\n");
    REQUIRE(second != std::string::npos);
    CHECK(json::parse(result.out.substr(0, second + 2))["payload"] == json::parse(payload));
    CHECK(json::parse(result.out.substr(second + 3))["payload"] == "text");
  }
  SUBCASE("-F %J --pretty") {
    BrokerFixture broker;
    ChildProcess mqtk =
        start_sub(broker, unique_id("prettyJ"), {"-t", "y", "-F", "%J", "--pretty", "-C", "1"});
    publish(broker, {"-t", "y", "-m", payload});
    const ProcessResult result = mqtk.wait(20s);
    INFO(describe(result));
    REQUIRE(result.exit_code == 0);
    CHECK(contains(result.out, "\n  \"payload\": {\n    \"a\": [\n"));
    CHECK(json::parse(result.out)["payload"] == json::parse(payload));
  }
}

TEST_CASE("--json and -F together are a usage error") {
  const ProcessResult result = run_mqtk({"sub", "-p", "1", "-t", "a", "--json", "-F", "%p"});
  CHECK(result.exit_code == 2);
}
