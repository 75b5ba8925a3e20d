#include "cli/output/plain_format.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "cli/output/formatter.hpp"
#include <mqtk/error.hpp>

// Expected strings marked "mosquitto" match mosquitto_sub 2.0.11 with the same flags.

using mqtk::Message;
using mqtk::cli::OutputOptions;
using mqtk::cli::PlainStyle;
using namespace std::string_literals;

namespace {

Message plain_message(std::string topic, std::string payload) {
  Message message;
  message.topic = std::move(topic);
  message.payload = std::move(payload);
  return message;
}

std::string plain(const Message& message, PlainStyle style) {
  std::string out;
  mqtk::cli::append_plain(out, message, style);
  return out;
}

std::string format_all(const OutputOptions& options, std::initializer_list<Message> messages) {
  const auto formatter = mqtk::cli::make_formatter(options);
  std::string out;
  for (const Message& message : messages) formatter->format(out, message);
  return out;
}

PlainStyle style(bool verbose, bool newline, bool escape_binary = false) {
  PlainStyle result;
  result.verbose = verbose;
  result.newline = newline;
  result.escape_binary = escape_binary;
  return result;
}

}  // namespace

TEST_SUITE_BEGIN("plain_format");

TEST_CASE("default output is the payload (mosquitto)") {
  CHECK(plain(plain_message("x/t", "hello"), style(false, true)) == "hello\n");
  CHECK(plain(plain_message("x/t", "hello"), style(false, false)) == "hello");
  CHECK(plain(plain_message("x/t", ""), style(false, true)).empty());  // skipped, as mosquitto
  CHECK(plain(plain_message("x/t", "a\nb"), style(false, true)) == "a\nb\n");
}

TEST_CASE("-v prints topic, space, payload (mosquitto)") {
  CHECK(plain(plain_message("x/t", "end"), style(true, true)) == "x/t end\n");
  CHECK(plain(plain_message("x/t", "end"), style(true, false)) == "x/t end");
  CHECK(plain(plain_message("x/t", ""), style(true, true)) == "x/t (null)\n");
  CHECK(plain(plain_message("x/t", ""), style(true, false)).empty());
  CHECK(plain(plain_message("a b", "c d"), style(true, true)) == "a b c d\n");
}

TEST_CASE("bytes pass unchanged unless escape_binary (mosquitto prints raw bytes)") {
  const Message binary = plain_message("x/t", "\x00\xff\x1b[31m\r\x7f\t\n\xc2\x85\xe2\x82\xac\\"s);
  CHECK(plain(binary, style(true, true)) == "x/t "s + binary.payload + "\n");
  CHECK(plain(binary, style(true, true, true)) ==
        "x/t \\x00\\xff\\x1b[31m\\x0d\\x7f\t\n\\xc2\\x85\xe2\x82\xac\\\n");
  CHECK(plain(plain_message("a\x1b", "b"), style(true, true, true)) == "a\\x1b b\n");
  // A truncated or overlong sequence is escaped byte by byte.
  CHECK(plain(plain_message("t", "\xe2\x82 \xc0\xaf \xed\xa0\x80"), style(false, false, true)) ==
        "\\xe2\\x82 \\xc0\\xaf \\xed\\xa0\\x80");
}

TEST_CASE("make_formatter: plain, -v, -N") {
  const Message first = plain_message("a", "1");
  const Message second = plain_message("b", "2");
  OutputOptions options;
  CHECK(format_all(options, {first, second}) == "1\n2\n");
  options.verbose = true;
  CHECK(format_all(options, {first, second}) == "a 1\nb 2\n");
  options.no_newline = true;
  CHECK(format_all(options, {first, second}) == "a 1b 2");
  options.escape_binary = true;
  CHECK(format_all(options, {plain_message("a", "\x01")}) == "a \\x01");
}

TEST_CASE("make_formatter: --json, --pretty") {
  Message message = plain_message("a", R"({"k":[1]})");
  message.properties.user_properties = {{"u", "v"}};
  OutputOptions options;
  options.json = true;
  options.verbose = true;  // no effect with --json
  CHECK(format_all(options, {message, plain_message("b", "x")}) ==
        R"({"topic":"a","payload":{"k":[1]},"payload_encoding":"json","qos":0,"retain":false,)"
        R"("properties":{"user_properties":[["u","v"]]}})"
        "\n"
        R"({"topic":"b","payload":"x","payload_encoding":"utf8","qos":0,"retain":false})"
        "\n");
  options.pretty = true;
  CHECK(format_all(options, {message}) ==
        "{\n"
        "  \"topic\": \"a\",\n"
        "  \"payload\": {\n"
        "    \"k\": [\n"
        "      1\n"
        "    ]\n"
        "  },\n"
        "  \"payload_encoding\": \"json\",\n"
        "  \"qos\": 0,\n"
        "  \"retain\": false,\n"
        "  \"properties\": {\n"
        "    \"user_properties\": [\n"
        "      [\n"
        "        \"u\",\n"
        "        \"v\"\n"
        "      ]\n"
        "    ]\n"
        "  }\n"
        "}\n");
  options.no_newline = true;
  options.pretty = false;
  CHECK(format_all(options, {plain_message("b", "x")}) ==
        R"({"topic":"b","payload":"x","payload_encoding":"utf8","qos":0,"retain":false})");
}

TEST_CASE("make_formatter: -F templates") {
  OutputOptions options;
  options.format_template = "%t=%p";
  options.verbose = true;  // no effect with -F
  CHECK(format_all(options, {plain_message("a", "1"), plain_message("b", "")}) == "a=1\nb=\n");
  options.no_newline = true;
  CHECK(format_all(options, {plain_message("a", "1"), plain_message("b", "")}) == "a=1b=");
  options.escape_binary = true;
  CHECK(format_all(options, {plain_message("a", "\x1b")}) == "a=\\x1b");
}

TEST_CASE("make_formatter: -F takes the time of arrival, else the current time") {
  OutputOptions options;
  options.format_template = "%U";
  Message message = plain_message("a", "1");
  message.received_at = std::chrono::system_clock::time_point{std::chrono::seconds{42}};
  CHECK(format_all(options, {message}) == "42.000000000\n");
  message.received_at.reset();
  const auto before = std::chrono::system_clock::now();
  const std::string printed = format_all(options, {message});
  const auto seconds = std::stoll(printed);
  CHECK(seconds >= std::chrono::floor<std::chrono::seconds>(before).time_since_epoch().count());
  CHECK(seconds <= std::chrono::floor<std::chrono::seconds>(before).time_since_epoch().count() + 5);
}

TEST_CASE("make_formatter: usage errors") {
  OutputOptions options;
  options.format_template = "%Z";
  CHECK_THROWS_WITH_AS((void)mqtk::cli::make_formatter(options),
                       "invalid -F format: unknown format specifier '%Z' at position 1",
                       mqtk::UsageError);
  options.format_template = "%t";
  options.json = true;
  CHECK_THROWS_WITH_AS((void)mqtk::cli::make_formatter(options),
                       "--json and -F cannot be used together", mqtk::UsageError);
}

TEST_SUITE_END();
