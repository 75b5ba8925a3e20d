#include "cli/output/template_format.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include <mqtk/error.hpp>

// Expected strings marked "mosquitto" were produced by mosquitto_sub 2.0.11 (Debian 12) from
// the same message, published with mosquitto_pub -V 5 to a private broker:
//   mosquitto_sub -V 5 -q 1 -D subscribe subscription-identifier 7 -t 'ref/#' -F '<format>'

using mqtk::Message;
using mqtk::UsageError;
using mqtk::cli::TemplateFormat;
using mqtk::cli::TemplateOptions;
using namespace std::chrono_literals;
using namespace std::string_literals;

namespace {

// 2026-11-21T10:00:00Z
constexpr std::chrono::system_clock::time_point reference_time{std::chrono::seconds{1795255200}};

// Sets TZ for one test and restores it after, so local-time output is deterministic.
class TimeZone {
 public:
  explicit TimeZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) previous_ = old;
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~TimeZone() {
    if (previous_) {
      ::setenv("TZ", previous_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  TimeZone(const TimeZone&) = delete;
  TimeZone& operator=(const TimeZone&) = delete;

 private:
  std::optional<std::string> previous_;
};

Message template_message(std::string topic, std::string payload) {
  Message message;
  message.topic = std::move(topic);
  message.payload = std::move(payload);
  message.properties.subscription_identifiers = {7};
  return message;
}

Message plain_message() { return template_message("ref/plain", "hello"); }
Message binary_message() {
  return template_message("ref/bin",
                      "\x00\xff\x10"
                      "A"s);
}
Message empty_message() { return template_message("ref/empty", ""); }

Message json_message() {
  Message message = template_message("ref/json", R"({"a":[1,true,null,"s"],"b":{}})");
  message.qos = 1;
  return message;
}

Message props_message() {
  Message message = template_message("ref/props", "with props");
  auto& properties = message.properties;
  properties.content_type = "text/plain";
  properties.response_topic = "reply/here";
  properties.correlation_data = "corr-1";
  properties.message_expiry_interval = 99;
  properties.payload_format_indicator = 1;
  properties.user_properties = {{"a", "b"}, {"c", "d e"}};
  return message;
}

std::string render(std::string_view format, const Message& message, TemplateOptions options = {},
                   std::chrono::system_clock::time_point now = reference_time) {
  std::string out;
  TemplateFormat::compile(format, options).write(out, message, now);
  return out;
}

std::string compile_error(std::string_view format) {
  try {
    (void)TemplateFormat::compile(format);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_SUITE_BEGIN("template_format");

TEST_CASE("message fields (mosquitto)") {
  CHECK(render("%t|%p|%q|%r|%l", plain_message()) == "ref/plain|hello|0|0|5");
  CHECK(render("%t|%p|%q|%r|%l", binary_message()) ==
        "ref/bin|\x00\xff\x10"
        "A|0|0|4"s);
  CHECK(render("%t|%p|%q|%r|%l", empty_message()) == "ref/empty||0|0|0");
  CHECK(render("%t|%p|%q|%r|%l", json_message()) ==
        R"(ref/json|{"a":[1,true,null,"s"],"b":{}}|1|0|30)");
  Message retained = plain_message();
  retained.retain = true;
  CHECK(render("%r", retained) == "1");
}

TEST_CASE("text widths and precision (mosquitto)") {
  const std::string format = "[%5t][%-5t][%.2t][%7.2t][%-7.2t][%05t][%.0t]";
  CHECK(render(format, plain_message()) ==
        "[ref/plain][ref/plain][re][     re][re     ][ref/plain][]");
  CHECK(render("[%12t][%-12t][%012t]", plain_message()) ==
        "[   ref/plain][ref/plain   ][   ref/plain]");
}

TEST_CASE("number widths and flags (mosquitto)") {
  const std::string format = "[%5l][%-5l][%05l][%-5q][%5r]";
  CHECK(render(format, json_message()) == "[   30][30   ][00030][1][0]");
  CHECK(render(format, plain_message()) == "[    5][5    ][00005][0][0]");
  CHECK(render(format, empty_message()) == "[    0][0    ][00000][0][0]");
}

TEST_CASE("MQTT 5 properties (mosquitto)") {
  const std::string format =
      "[%A][%5A][%05A][%C][%5C][%-12C][%.3C][%D][%E][%5E][%05E][%-5E][%F][%3F][%P][%R][%.4R]"
      "[%S][%3S][%-3S|]";
  CHECK(render(format, props_message()) ==
        "[][     ][00000][text/plain][text/plain][text/plain  ][tex][corr-1][99][   99][00099]"
        "[99   ][1][  1][a:b c:d e][reply/here][repl][7][  7][7  |]");
  CHECK(render(format, plain_message()) ==
        "[][     ][00000][][     ][            ][][][][     ][00000][     ][][   ][][][][7][  7][7 "
        " |]");
  Message aliased = plain_message();
  aliased.properties.topic_alias = 3;
  aliased.properties.subscription_identifiers = {4, 5};
  CHECK(render("[%A][%5A][%-5A][%05A][%S]", aliased) == "[3][    3][3    ][00003][4]");
  aliased.properties.message_expiry_interval = 4294967295U;
  CHECK(render("%E", aliased) == "4294967295");  // mosquitto: -1
}

TEST_CASE("absent %R pads like %C; -0 pads absent numbers with blanks (differ from mosquitto)") {
  CHECK(render("[%-12R][%6R]", plain_message()) == "[            ][      ]");  // mosquitto: [][]
  CHECK(render("[%-05A][%-05E]", Message{}) == "[     ][     ]");  // mosquitto: [00000][00000]
}

TEST_CASE("hex payload") {
  const std::string format = "%x|%X";
  CHECK(render(format, plain_message()) == "68656c6c6f|68656C6C6F");  // mosquitto
  CHECK(render(format, binary_message()) == "00ff1041|00FF1041");     // mosquitto
  CHECK(render(format, empty_message()) == "|");                      // mosquitto
  // Width is a minimum: mosquitto prints "6865        |        6865|000000006865" here.
  CHECK(render("%-12x|%12X|%012x", plain_message()) == "68656c6c6f  |  68656C6C6F|0068656c6c6f");
  CHECK(render("%4x", plain_message()) == "68656c6c6f");
}

TEST_CASE("payload width pads and never truncates") {
  CHECK(render("[%8p][%-8p][%08p]", plain_message()) == "[   hello][hello   ][000hello]");
  CHECK(render("[%3p][%.2p]", plain_message()) == "[hello][hello]");  // mosquitto: [hel][hello]
}

TEST_CASE("literals and escapes (mosquitto)") {
  CHECK(render(R"(%%|@@|\\|\0|\a|\e|\n|\r|\t|\v)", plain_message()) ==
        "%|@|\\|\0|\a|\x1b|\n|\r|\t|\v"s);
  CHECK(render("%5%|%-%", plain_message()) == "%|%");
  CHECK(render("plain text, no specifiers", plain_message()) == "plain text, no specifiers");
  CHECK(render("", plain_message()).empty());
}

TEST_CASE("%m is 0 (Message carries no packet id)") {
  CHECK(render("%m|%3m|%03m", json_message()) == "0|  0|000");
}

TEST_CASE("time: %I %U and @ strftime in the local zone") {
  const Message message = plain_message();
  const auto now = reference_time + 123456789ns;
  {
    const TimeZone zone("UTC0");
    CHECK(render("%I", message, {}, now) == "2026-11-21T10:00:00+0000");
    CHECK(render("%U", message, {}, now) == "1795255200.123456789");
    CHECK(render("@Y-@m-@d @H:@M:@S.@N @z @s @j @a @b @@", message, {}, now) ==
          "2026-11-21 10:00:00.123456789 +0000 1795255200 325 Sat Nov @");
    CHECK(render("[%30I][%-26I][%.4I][%10.4I]", message, {}, now) ==
          "[      2026-11-21T10:00:00+0000][2026-11-21T10:00:00+0000  ][2026][      2026]");
  }
  {
    const TimeZone zone("IST-5:30");
    CHECK(render("%I|@H:@M @z", message, {}, now) == "2026-11-21T15:30:00+0530|15:30 +0530");
    CHECK(render("%U", message, {}, now) == "1795255200.123456789");
  }
}

TEST_CASE("time: received_at wins over now; @N pads to nine digits") {
  const TimeZone zone("UTC0");
  Message message = plain_message();
  message.received_at = reference_time + 5ms;
  CHECK(render("@H:@M:@S.@N", message, {}, reference_time + 1h) == "10:00:00.005000000");
  CHECK(TemplateFormat::compile("%t %p %j").uses_time());
  CHECK_FALSE(TemplateFormat::compile("%t %p %x").uses_time());
  CHECK(TemplateFormat::compile("@H").uses_time());
}

TEST_CASE("%j and %J (mosquitto, but for mid and property order)") {
  const TimeZone zone("UTC0");
  const auto now = reference_time + 84575123ns;
  CHECK(render("%j", plain_message(), {}, now) ==
        R"({"tst":"2026-11-21T10:00:00.084575Z+0000","topic":"ref/plain","qos":0,"retain":0,)"
        R"("payloadlen":5,"properties":{"subscription-identifier":7},"payload":"hello"})");
  CHECK(render("%j", empty_message(), {}, now) ==
        R"({"tst":"2026-11-21T10:00:00.084575Z+0000","topic":"ref/empty","qos":0,"retain":0,)"
        R"("payloadlen":0,"properties":{"subscription-identifier":7},"payload":null})");
  // mosquitto adds "mid":1 after payloadlen here.
  CHECK(render("%j", json_message(), {}, now) ==
        R"({"tst":"2026-11-21T10:00:00.084575Z+0000","topic":"ref/json","qos":1,"retain":0,)"
        R"("payloadlen":30,"properties":{"subscription-identifier":7},)"
        R"("payload":"{\"a\":[1,true,null,\"s\"],\"b\":{}}"})");
  CHECK(render("%J", json_message(), {}, now) ==
        R"({"tst":"2026-11-21T10:00:00.084575Z+0000","topic":"ref/json","qos":1,"retain":0,)"
        R"("payloadlen":30,"properties":{"subscription-identifier":7},)"
        R"("payload":{"a":[1,true,null,"s"],"b":{}}})");
  // mosquitto writes the same members in wire order.
  CHECK(render("%j", props_message(), {}, now) ==
        R"({"tst":"2026-11-21T10:00:00.084575Z+0000","topic":"ref/props","qos":0,"retain":0,)"
        R"("payloadlen":10,"properties":{"payload-format-indicator":1,)"
        R"("message-expiry-interval":99,"response-topic":"reply/here","correlation-data":"corr-1",)"
        R"("user-properties":{"a":"b","c":"d e"},"subscription-identifier":7,)"
        R"("content-type":"text/plain"},"payload":"with props"})");
}

TEST_CASE("%j and %J never lose a payload") {
  const TimeZone zone("UTC0");
  Message message = binary_message();
  message.properties = {};
  message.properties.correlation_data = "\xfe\x01"s;
  // mosquitto 2.0.11 prints "payload":"" (cJSON stops at the NUL byte).
  CHECK(render("%j", message) ==
        R"({"tst":"2026-11-21T10:00:00.000000Z+0000","topic":"ref/bin","qos":0,"retain":0,)"
        R"("payloadlen":4,"properties":{"correlation-data":"/gE=",)"
        R"("correlation-data-encoding":"base64"},)"
        R"("payload_encoding":"base64","payload":"AP8QQQ=="})");
  Message text = template_message("t", "not json \x01");
  text.properties = {};
  // mosquitto prints an error on stderr and no object.
  CHECK(render("%J", text) ==
        R"({"tst":"2026-11-21T10:00:00.000000Z+0000","topic":"t","qos":0,"retain":0,)"
        R"("payloadlen":10,"payload_encoding":"utf8","payload":"not json \u0001"})");
  // Whitespace is dropped, tokens are kept as written (cJSON would print 2.5 and é).
  text.payload = "{ \"a\" : [ 2.50, \"\\u00e9\" ] }\n";
  CHECK(render("%J", text).ends_with(R"("payload":{"a":[2.50,"\u00e9"]}})"));
}

TEST_CASE("pretty %j") {
  const TimeZone zone("UTC0");
  Message message = template_message("t", R"({"a":[1,{}],"b":[]})");
  message.properties = {};
  message.properties.user_properties = {{"k", "v"}};
  TemplateOptions options;
  options.pretty_json = true;
  CHECK(render("%J", message, options) ==
        "{\n"
        "  \"tst\": \"2026-11-21T10:00:00.000000Z+0000\",\n"
        "  \"topic\": \"t\",\n"
        "  \"qos\": 0,\n"
        "  \"retain\": 0,\n"
        "  \"payloadlen\": 19,\n"
        "  \"properties\": {\n"
        "    \"user-properties\": {\n"
        "      \"k\": \"v\"\n"
        "    }\n"
        "  },\n"
        "  \"payload\": {\n"
        "    \"a\": [\n"
        "      1,\n"
        "      {}\n"
        "    ],\n"
        "    \"b\": []\n"
        "  }\n"
        "}");
}

TEST_CASE("escape_binary makes data fields terminal-safe") {
  Message message = template_message("a\x1b[2Jb", "x\x00y\xff\t\n\xc2\x9b\xc3\xa9"s);
  message.properties = {};
  message.properties.correlation_data = "\x07"s;
  message.properties.user_properties = {{"k\r", "v"}};
  TemplateOptions options;
  options.escape_binary = true;
  CHECK(render("%t|%p|%D|%P|%x", message, options) ==
        "a\\x1b[2Jb|x\\x00y\\xff\t\n\\xc2\\x9b\xc3\xa9|\\x07|k\\x0d:v|780079ff090ac29bc3a9");
  CHECK(render("[%-14t]", message, options) == "[a\\x1b[2Jb     ]");
  CHECK(render("[%p]", message) == "[x\x00y\xff\t\n\xc2\x9b\xc3\xa9]"s);  // raw without the option
}

TEST_CASE("precision does not split a UTF-8 character") {
  const Message message = template_message("\xc3\xa9t\xc3\xa9", "x");
  CHECK(render("[%.1t][%.2t][%.3t][%.4t]", message) == "[][\xc3\xa9][\xc3\xa9t][\xc3\xa9t]");
}

TEST_CASE("invalid templates name the problem and its position") {
  CHECK(compile_error("%y") == "invalid -F format: unknown format specifier '%y' at position 1");
  CHECK(compile_error("ab %-5Z") ==
        "invalid -F format: unknown format specifier '%-5Z' at position 4");
  CHECK(compile_error("%a") == "invalid -F format: unknown format specifier '%a' at position 1");
  CHECK(compile_error("topic %") ==
        "invalid -F format: incomplete format specifier '%' at position 7");
  CHECK(compile_error("%-05.3") ==
        "invalid -F format: incomplete format specifier '%-05.3' at position 1");
  CHECK(compile_error("%0-5t") ==
        "invalid -F format: unknown format specifier '%0-' at position 1");
  CHECK(compile_error("%5.2.1t") ==
        "invalid -F format: unknown format specifier '%5.2.' at position 1");
  CHECK(compile_error("x@") == "invalid -F format: incomplete time specifier '@' at position 2");
  CHECK(compile_error("@q") == "invalid -F format: unknown time specifier '@q' at position 1");
  CHECK(compile_error("@E") == "invalid -F format: unknown time specifier '@E' at position 1");
  CHECK(compile_error("\\") == "invalid -F format: incomplete escape '\\' at position 1");
  CHECK(compile_error("a\\b") == "invalid -F format: unknown escape '\\b' at position 2");
  CHECK(compile_error("%65536t") ==
        "invalid -F format: width or precision above 65535 in '%65536' at position 1");
  CHECK(compile_error("%.99999999999999999999t") ==
        "invalid -F format: width or precision above 65535 in '%.99999' at position 1");
  CHECK(compile_error("%65535t%.65535t") == "no error");
}

TEST_SUITE_END();
