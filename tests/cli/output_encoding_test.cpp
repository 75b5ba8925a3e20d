#include <doctest/doctest.h>

#include <random>
#include <string>

#include "cli/output/encoding.hpp"
#include "cli/output/json_text.hpp"

using namespace std::string_literals;
using mqtk::cli::decode_base64;
using mqtk::cli::encode_base64;
using mqtk::cli::is_valid_utf8;

TEST_SUITE_BEGIN("output_encoding");

TEST_CASE("UTF-8 validation follows RFC 3629") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii, longer than eight bytes"));
  CHECK(is_valid_utf8("\x00"s));
  CHECK(is_valid_utf8("\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf"));
  CHECK(is_valid_utf8("\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"));
  CHECK_FALSE(is_valid_utf8("\x80"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xc1\xbf"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xe0\x9f\xbf"));      // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate U+D800
  CHECK_FALSE(is_valid_utf8("\xf0\x8f\xbf\xbf"));  // overlong
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("abcdefgh\xe2\x82"));  // truncated after the ASCII fast path
  CHECK_FALSE(
      is_valid_utf8("\xe2\x82"
                    "abcdefgh"));
}

TEST_CASE("utf8_prefix_length never splits a character") {
  using mqtk::cli::utf8_prefix_length;
  const std::string text =
      "a\xe2\x82\xac"
      "b";  // a € b
  CHECK(utf8_prefix_length(text, 0) == 0);
  CHECK(utf8_prefix_length(text, 1) == 1);
  CHECK(utf8_prefix_length(text, 2) == 1);
  CHECK(utf8_prefix_length(text, 3) == 1);
  CHECK(utf8_prefix_length(text, 4) == 4);
  CHECK(utf8_prefix_length(text, 99) == 5);
  CHECK(utf8_prefix_length("\x80\x80\x80\x80\x80", 4) == 4);  // not UTF-8: cut as asked
}

TEST_CASE("base64 (RFC 4648 test vectors)") {
  CHECK(encode_base64("") == "");
  CHECK(encode_base64("f") == "Zg==");
  CHECK(encode_base64("fo") == "Zm8=");
  CHECK(encode_base64("foo") == "Zm9v");
  CHECK(encode_base64("foob") == "Zm9vYg==");
  CHECK(encode_base64("fooba") == "Zm9vYmE=");
  CHECK(encode_base64("foobar") == "Zm9vYmFy");
  CHECK(encode_base64("\xfb\xff") == "+/8=");
  CHECK(decode_base64("Zm9vYmE=") == "fooba");
  CHECK(decode_base64("Zm9vYmE") == "fooba");  // unpadded
  CHECK(decode_base64("Zg==") == "f");
  CHECK(decode_base64("") == "");
  CHECK(decode_base64("+/8=") == "\xfb\xff");
  CHECK_FALSE(decode_base64("Z"));
  CHECK_FALSE(decode_base64("Zg="));
  CHECK_FALSE(decode_base64("Zg=a"));
  CHECK_FALSE(decode_base64("Z==="));
  CHECK_FALSE(decode_base64("Zm 9v"));
  CHECK_FALSE(decode_base64("Zm9v\n"));
  CHECK_FALSE(decode_base64("-_8="));  // URL alphabet
}

TEST_CASE("base64 round trip") {
  std::mt19937 rng(1);
  for (int length = 0; length < 300; ++length) {
    std::string bytes(static_cast<std::size_t>(length), '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    REQUIRE(decode_base64(encode_base64(bytes)) == bytes);
  }
}

TEST_CASE("hex") {
  std::string out;
  mqtk::cli::append_hex(out, "\x00\xab\x7f"s, false);
  mqtk::cli::append_hex(out, "\xab", true);
  CHECK(out == "00ab7fAB");
}

TEST_CASE("JSON string escaping") {
  const auto quoted = [](std::string_view text) {
    std::string out;
    mqtk::cli::append_json_string(out, text);
    return out;
  };
  CHECK(quoted("") == R"("")");
  CHECK(quoted("long plain ascii run / with slash") == R"("long plain ascii run / with slash")");
  CHECK(quoted("\"\\\b\f\n\r\t\x01\x1f\x7f"s + '\0') ==
        "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\\u0000\"");
  CHECK(quoted("\xc3\xa9\xf0\x9f\x98\x80") == "\"\xc3\xa9\xf0\x9f\x98\x80\"");
  CHECK(quoted("a\xff"
               "b") ==
        "\"a\xef\xbf\xbd"
        "b\"");
  std::string out = "keep";
  CHECK_FALSE(mqtk::cli::try_append_json_string(out, "abcdefghij\xff"));
  CHECK(out == "keep");
  CHECK(mqtk::cli::try_append_json_string(out, "x"));
  CHECK(out == "keep\"x\"");
}

TEST_CASE("minify and indent keep tokens") {
  std::string out;
  mqtk::cli::append_minified_json(out, " { \"a b\" : [ 1.50 , \"x \\\" y\" ] ,\n\"c\":{ } }\r\n");
  CHECK(out == R"({"a b":[1.50,"x \" y"],"c":{}})");
  std::string indented;
  mqtk::cli::append_indented_json(indented, out);
  CHECK(indented == "{\n  \"a b\": [\n    1.50,\n    \"x \\\" y\"\n  ],\n  \"c\": {}\n}");
  std::string scalar;
  mqtk::cli::append_indented_json(scalar, "\"{[,:]}\"");
  CHECK(scalar == "\"{[,:]}\"");
}

TEST_SUITE_END();
