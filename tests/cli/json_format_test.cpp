#include "cli/output/json_format.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <string>

#include "cli/output/json_text.hpp"
#include "cli/output/timestamp.hpp"
#include <mqtk/error.hpp>

using mqtk::Message;
using mqtk::UsageError;
using mqtk::cli::from_json_line;
using mqtk::cli::to_json_line;
using namespace std::chrono_literals;
using namespace std::string_literals;

namespace {

Message text_message(std::string topic, std::string payload) {
  Message message;
  message.topic = std::move(topic);
  message.payload = std::move(payload);
  return message;
}

std::chrono::system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  namespace chrono = std::chrono;
  return chrono::sys_days{chrono::year{y} / chrono::month{mo} / chrono::day{d}} + chrono::hours{h} +
         chrono::minutes{mi} + chrono::seconds{s};
}

std::string payload_line(std::string payload) {
  return to_json_line(text_message("t", std::move(payload)));
}

std::string usage_error_of(std::string_view line) {
  try {
    (void)from_json_line(line, Message{});
  } catch (const UsageError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_SUITE_BEGIN("json_format");

TEST_CASE("text, JSON, binary and empty payloads") {
  CHECK(payload_line("hello") ==
        R"({"topic":"t","payload":"hello","payload_encoding":"utf8","qos":0,"retain":false})");
  CHECK(payload_line(R"({"a":1,"b":[true,null]})") ==
        R"({"topic":"t","payload":{"a":1,"b":[true,null]},"payload_encoding":"json",)"
        R"("qos":0,"retain":false})");
  CHECK(payload_line("") ==
        R"({"topic":"t","payload":"","payload_encoding":"utf8","qos":0,"retain":false})");
  CHECK(payload_line("\x00\xff\x10"s) ==
        R"({"topic":"t","payload":"AP8Q","payload_encoding":"base64","qos":0,"retain":false})");
  CHECK(payload_line("h\xc3\xa9\xff") ==
        R"({"topic":"t","payload":"aMOp/w==","payload_encoding":"base64","qos":0,"retain":false})");
}

TEST_CASE("bare JSON scalars are embedded; a quoted string stays distinct from text") {
  CHECK(payload_line("42") ==
        R"({"topic":"t","payload":42,"payload_encoding":"json","qos":0,"retain":false})");
  CHECK(payload_line("-1.5") ==
        R"({"topic":"t","payload":-1.5,"payload_encoding":"json","qos":0,"retain":false})");
  CHECK(payload_line("null") ==
        R"({"topic":"t","payload":null,"payload_encoding":"json","qos":0,"retain":false})");
  CHECK(payload_line(R"("hi")") ==
        R"({"topic":"t","payload":"hi","payload_encoding":"json","qos":0,"retain":false})");
  CHECK(payload_line("hi") ==
        R"({"topic":"t","payload":"hi","payload_encoding":"utf8","qos":0,"retain":false})");
}

TEST_CASE("JSON in any formatting is embedded; bytes a line cannot hold travel in payload_text") {
  // Spliced as written, so jq reads the value and the reader takes the very bytes back.
  CHECK(payload_line(R"({"a": 1})") ==
        R"({"topic":"t","payload":{"a": 1},"payload_encoding":"json","qos":0,"retain":false})");
  CHECK(payload_line("1e3") ==
        R"({"topic":"t","payload":1e3,"payload_encoding":"json","qos":0,"retain":false})");
  CHECK(payload_line("{\"a\":\n 1}\n") ==
        R"({"topic":"t","payload":{"a":1},"payload_encoding":"json","payload_text":"{\"a\":\n 1}\n","qos":0,"retain":false})");
  CHECK(payload_line(" [1] ").find(R"("payload":[1],"payload_encoding":"json","payload_text":" [1] ")") !=
        std::string::npos);
  for (const char* payload : {R"({"a": 1})", "1e3", "{\"a\":\n 1}\n", " [1] ", "-0", R"("\/")"}) {
    CAPTURE(payload);
    CHECK(from_json_line(payload_line(payload), Message{}).payload == payload);
  }
}

TEST_CASE("strings are escaped as nlohmann and cJSON escape them") {
  const Message message = text_message("a\"b\\c/\xc3\xa9", "\b\f\n\r\t\x01\x1f\x7f \xe2\x82\xac");
  CHECK(to_json_line(message) == R"({"topic":"a\"b\\c/é","payload":"\b\f\n\r\t\u0001\u001f)"
                                 "\x7f"
                                 R"( €","payload_encoding":"utf8","qos":0,"retain":false})");
}

TEST_CASE("invalid UTF-8 in a topic becomes U+FFFD so the line stays JSON") {
  CHECK(to_json_line(text_message("a\xff", "x")).starts_with("{\"topic\":\"a\xEF\xBF\xBD\""));
}

TEST_CASE("qos, retain and received_at") {
  Message message = text_message("t", "x");
  message.qos = 2;
  message.retain = true;
  message.received_at = utc(2026, 11, 21, 10, 0, 0) + 123456789ns;
  CHECK(to_json_line(message) ==
        R"({"topic":"t","payload":"x","payload_encoding":"utf8","qos":2,"retain":true,)"
        R"("received_at":"2026-11-21T10:00:00.123Z"})");
}

TEST_CASE("every property, in the spec's order") {
  Message message = text_message("t", "x");
  auto& properties = message.properties;
  properties.content_type = "text/plain";
  properties.response_topic = "reply/to";
  properties.correlation_data = "id-1";
  properties.message_expiry_interval = 4294967295U;
  properties.payload_format_indicator = 1;
  properties.topic_alias = 65535;
  properties.user_properties = {{"k", "v"}, {"k", "v2"}, {"", ""}};
  properties.subscription_identifiers = {1, 268435455};
  CHECK(to_json_line(message) ==
        R"({"topic":"t","payload":"x","payload_encoding":"utf8","qos":0,"retain":false,)"
        R"("properties":{"payload_format_indicator":1,"message_expiry_interval":4294967295,)"
        R"("topic_alias":65535,"response_topic":"reply/to","correlation_data":"id-1",)"
        R"("user_properties":[["k","v"],["k","v2"],["",""]],)"
        R"("subscription_identifiers":[1,268435455],"content_type":"text/plain"}})");
}

TEST_CASE("binary correlation data is base64 with a sibling that says so") {
  Message message = text_message("t", "x");
  message.properties.correlation_data = "\x00\x01\xfe"s;
  CHECK(to_json_line(message) ==
        R"({"topic":"t","payload":"x","payload_encoding":"utf8","qos":0,"retain":false,)"
        R"("properties":{"correlation_data":"AAH+","correlation_data_encoding":"base64"}})");
  CHECK(from_json_line(to_json_line(message), Message{}) == message);
}

TEST_CASE("reading: missing fields take the defaults") {
  Message defaults = text_message("default/topic", "default payload");
  defaults.qos = 1;
  defaults.retain = true;
  defaults.properties.content_type = "text/plain";
  defaults.properties.message_expiry_interval = 10;

  const Message message =
      from_json_line(R"({"payload":"x","properties":{"message_expiry_interval":20}})", defaults);
  CHECK(message.topic == "default/topic");
  CHECK(message.payload == "x");
  CHECK(message.qos == 1);
  CHECK(message.retain);
  CHECK(message.properties.content_type == "text/plain");
  CHECK(message.properties.message_expiry_interval == 20U);

  CHECK(from_json_line("{}", defaults) == defaults);
  CHECK(
      from_json_line(R"({"properties":{"content_type":null}})", defaults).properties.content_type ==
      std::nullopt);
}

TEST_CASE("reading: payload without payload_encoding, mosquitto's retain, unknown keys") {
  CHECK(from_json_line(R"({"payload":"text"})", Message{}).payload == "text");
  // An embedded value is sent as written in the line, not re-serialised.
  CHECK(from_json_line(R"({"payload": {"a": [1, 2.50]} })", Message{}).payload == R"({"a": [1, 2.50]})");
  CHECK(from_json_line(R"({"payload":null})", Message{}).payload == "null");
  CHECK(from_json_line(R"({"payload":"\"q\"","payload_encoding":"utf8"})", Message{}).payload ==
        R"("q")");
  CHECK(from_json_line(R"({"payload":"q","payload_encoding":"json"})", Message{}).payload ==
        R"("q")");
  CHECK(from_json_line(R"({"payload":"","payload_encoding":"base64"})", Message{}).payload.empty());
  CHECK(from_json_line(R"({"retain":1,"tst":"x","mid":3})", Message{}).retain);
  CHECK_FALSE(from_json_line(R"({"retain":0})", Message{}).retain);
}

TEST_CASE("reading: received_at") {
  using mqtk::cli::parse_rfc3339;
  CHECK(from_json_line(R"({"received_at":"2026-11-21T10:00:00.123Z"})", Message{}).received_at ==
        utc(2026, 11, 21, 10, 0, 0) + 123ms);
  CHECK(parse_rfc3339("2026-11-21T11:30:00.5+01:30", "f") == utc(2026, 11, 21, 10, 0, 0) + 500ms);
  CHECK(parse_rfc3339("2026-11-21t10:00:00-00:30", "f") == utc(2026, 11, 21, 10, 30, 0));
  CHECK(parse_rfc3339("2024-02-29T00:00:00.1234567891Z", "f") ==
        utc(2024, 2, 29, 0, 0, 0) + 123456789ns);
  for (const auto* bad : {"2026-11-21", "2026-11-21T10:00:00", "2026-02-30T10:00:00Z",
                          "2026-11-21T24:00:00Z", "2026-11-21T10:00:00.Z", "2026-11-21T10:00:00Zx",
                          "2026-11-21T10:00:00+0100", " 2026-11-21T10:00:00Z"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(
        (void)parse_rfc3339(bad, "received_at"),
        "field 'received_at' must be an RFC 3339 time such as 2026-11-21T10:00:00.123Z",
        UsageError);
  }
}

// Found by fuzzing (tests/fuzz/jsonl_record_fuzz.cpp): a year past 2262 overflowed
// system_clock's 64-bit nanoseconds (UBSan: signed integer overflow in chrono.h).
TEST_CASE("reading: received_at outside system_clock's range is refused, not wrapped") {
  using mqtk::cli::parse_rfc3339;
  CHECK(usage_error_of(R"({"topic":"x","received_at":"9772-11-21T11:00:00.123456789+01:00"})") ==
        "field 'received_at' is out of range: '9772-11-21T11:00:00.123456789+01:00' (the years "
        "1678 to 2261 can be represented)");
  for (const auto* bad : {"2262-04-12T00:00:00Z", "0000-01-01T00:00:00Z", "1677-01-01T00:00:00Z",
                          "9999-12-31T23:59:59.999999999-23:59"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS((void)parse_rfc3339(bad, "received_at"), UsageError);
  }
  CHECK(parse_rfc3339("2261-12-31T23:59:59.999999999Z", "f") ==
        utc(2261, 12, 31, 23, 59, 59) + 999999999ns);
  CHECK(parse_rfc3339("1678-01-01T00:00:00Z", "f") == utc(1678, 1, 1, 0, 0, 0));
}

TEST_CASE("reading: errors name the field") {
  CHECK(usage_error_of(R"({"qos":3})") == "field 'qos' must be 0, 1 or 2");
  CHECK(usage_error_of(R"({"qos":"1"})") == "field 'qos' must be 0, 1 or 2");
  CHECK(usage_error_of(R"({"qos":1.0})") == "field 'qos' must be 0, 1 or 2");
  CHECK(usage_error_of(R"({"qos":-1})") == "field 'qos' must be 0, 1 or 2");
  CHECK(usage_error_of(R"({"retain":"yes"})") == "field 'retain' must be true or false");
  CHECK(usage_error_of(R"({"topic":1})") == "field 'topic' must be a string");
  CHECK(usage_error_of(R"({"payload":"x","payload_encoding":"hex"})") ==
        "field 'payload_encoding' must be json, utf8 or base64");
  CHECK(usage_error_of(R"({"payload":1,"payload_encoding":"utf8"})") ==
        "field 'payload' must be a string");
  CHECK(usage_error_of(R"({"payload":"a","payload_encoding":"base64"})") ==
        "field 'payload' is not valid base64");
  CHECK(usage_error_of(R"({"payload_encoding":"utf8"})") ==
        "field 'payload_encoding' needs a 'payload' field");
  CHECK(usage_error_of(R"({"received_at":5})") == "field 'received_at' must be a string");
  CHECK(usage_error_of(R"({"properties":[]})") == "field 'properties' must be an object");
  CHECK(usage_error_of(R"({"properties":{"content-type":"x"}})") ==
        "unknown field 'properties.content-type'");
  CHECK(usage_error_of(R"({"properties":{"topic_alias":0}})") ==
        "field 'properties.topic_alias' must be an integer from 1 to 65535");
  CHECK(usage_error_of(R"({"properties":{"payload_format_indicator":2}})") ==
        "field 'properties.payload_format_indicator' must be an integer from 0 to 1");
  CHECK(usage_error_of(R"({"properties":{"message_expiry_interval":4294967296}})") ==
        "field 'properties.message_expiry_interval' must be an integer from 0 to 4294967295");
  CHECK(usage_error_of(R"({"properties":{"user_properties":[["k"]]}})") ==
        "field 'properties.user_properties' must be an array of [key, value] string pairs");
  CHECK(usage_error_of(R"({"properties":{"user_properties":{"k":"v"}}})") ==
        "field 'properties.user_properties' must be an array of [key, value] string pairs");
  CHECK(usage_error_of(R"({"properties":{"subscription_identifiers":[0]}})") ==
        "field 'properties.subscription_identifiers' must be an integer from 1 to 268435455");
  CHECK(usage_error_of(R"({"properties":{"correlation_data_encoding":"base64"}})") ==
        "field 'properties.correlation_data_encoding' needs 'properties.correlation_data'");
  CHECK(usage_error_of(
            R"({"properties":{"correlation_data":"x","correlation_data_encoding":"hex"}})") ==
        "field 'properties.correlation_data_encoding' must be utf8 or base64");
  CHECK(usage_error_of("[1]") == "expected a JSON object, not array");
  CHECK(usage_error_of(R"({"topic":"t",})") ==
        "invalid JSON: parse error at line 1, column 14: syntax error while parsing object key - "
        "unexpected '}'; expected string literal");
  CHECK(usage_error_of("").starts_with("invalid JSON: parse error at line 1, column 1"));
  CHECK(usage_error_of(std::string(600, '[')) == "invalid JSON: nested deeper than 516 levels");
}

namespace {

std::string random_bytes(std::mt19937& rng, std::size_t max_length) {
  std::uniform_int_distribution<std::size_t> length(0, max_length);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string bytes(length(rng), '\0');
  for (char& c : bytes) c = static_cast<char>(byte(rng));
  return bytes;
}

// Valid UTF-8 drawn from ASCII (controls and quotes included) and a few multi-byte characters.
std::string random_text(std::mt19937& rng, std::size_t max_length) {
  static constexpr std::string_view pieces[] = {"a",
                                                "Z",
                                                " ",
                                                "\"",
                                                "\\",
                                                "/",
                                                "\n",
                                                "\x01",
                                                "\x7f",
                                                "\xc3\xa9",
                                                "\xe2\x82\xac",
                                                "\xf0\x9f\x98\x80",
                                                "{",
                                                "}",
                                                "[",
                                                "1",
                                                ":",
                                                ",",
                                                std::string_view("\0", 1)};
  std::uniform_int_distribution<std::size_t> length(0, max_length);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(pieces) - 1);
  std::string text;
  for (std::size_t i = length(rng); i > 0; --i) {
    text.append(pieces[pick(rng)]);
  }
  return text;
}

std::string random_json(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 3 ? 4 : 6);
  switch (kind(rng)) {
    case 0: return "null";
    case 1: return std::uniform_int_distribution<int>(0, 1)(rng) ? "true" : "false";
    case 2:
      return std::to_string(std::uniform_int_distribution<long long>(-1LL << 40, 1LL << 40)(rng));
    case 3: return std::to_string(std::uniform_int_distribution<int>(0, 999)(rng)) + ".5";
    case 4: {
      std::string text;
      mqtk::cli::append_json_string(text, random_text(rng, 6));
      return text;
    }
    case 5: {
      std::string array = "[";
      for (int i = std::uniform_int_distribution<int>(0, 3)(rng); i > 0; --i) {
        array += random_json(rng, depth + 1) + (i > 1 ? "," : "");
      }
      return array + "]";
    }
    default: {
      std::string object = "{";
      for (int i = std::uniform_int_distribution<int>(0, 3)(rng); i > 0; --i) {
        object +=
            "\"k" + std::to_string(i) + "\":" + random_json(rng, depth + 1) + (i > 1 ? "," : "");
      }
      return object + "}";
    }
  }
}

Message random_message(std::mt19937& rng) {
  std::uniform_int_distribution<int> coin(0, 1);
  std::uniform_int_distribution<int> kind(0, 4);
  Message message;
  message.topic = random_text(rng, 12);
  switch (kind(rng)) {
    case 0: message.payload = random_bytes(rng, 64); break;
    case 1: message.payload = random_text(rng, 20); break;
    case 2: message.payload = random_json(rng, 0); break;
    case 3: message.payload = " " + random_json(rng, 0); break;
    default: break;  // empty
  }
  message.qos = std::uniform_int_distribution<int>(0, 2)(rng);
  message.retain = coin(rng) == 1;
  if (coin(rng)) {
    message.received_at = std::chrono::system_clock::time_point{} +
                          std::chrono::milliseconds{
                              std::uniform_int_distribution<long long>(0, 4102444800000LL)(rng)};
  }
  auto& properties = message.properties;
  if (coin(rng)) properties.payload_format_indicator = static_cast<std::uint8_t>(coin(rng));
  if (coin(rng)) properties.message_expiry_interval = static_cast<std::uint32_t>(rng());
  if (coin(rng)) properties.topic_alias = static_cast<std::uint16_t>(1 + rng() % 65535);
  if (coin(rng)) properties.response_topic = random_text(rng, 8);
  if (coin(rng))
    properties.correlation_data = coin(rng) ? random_bytes(rng, 16) : random_text(rng, 8);
  if (coin(rng)) properties.content_type = random_text(rng, 8);
  for (int i = std::uniform_int_distribution<int>(0, 3)(rng); i > 0; --i) {
    properties.user_properties.emplace_back(random_text(rng, 5), random_text(rng, 5));
  }
  for (int i = std::uniform_int_distribution<int>(0, 2)(rng); i > 0; --i) {
    properties.subscription_identifiers.push_back(1 +
                                                  static_cast<std::uint32_t>(rng() % 268435455));
  }
  return message;
}

}  // namespace

TEST_CASE("round trip: from_json_line(to_json_line(m)) == m, byte for byte") {
  std::mt19937 rng(20261121);
  for (int i = 0; i < 5000; ++i) {
    const Message message = random_message(rng);
    const std::string line = to_json_line(message);
    CAPTURE(line);
    REQUIRE(line.find('\n') == std::string::npos);
    REQUIRE(from_json_line(line, Message{}) == message);
  }
}

TEST_SUITE_END();
