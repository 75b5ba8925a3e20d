#include "cli/output/json_check.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

using mqtk::cli::is_compact_json;
using mqtk::cli::is_json;

namespace {

// The rule is_compact_json() implements, the slow way.
bool dump_reproduces(std::string_view text) {
  const auto value = nlohmann::ordered_json::parse(text.begin(), text.end(), nullptr, false);
  return !value.is_discarded() && value.dump() == text;
}

// Tokens at the checker's edges: escapes dump() does or does not write, numbers it re-formats
// or nlohmann refuses, and broken pieces.
constexpr std::string_view scalars[] = {
    R"("a")", R"("")", R"("\/")", R"("\u00e9")", R"("\u001f")", R"("\u001F")", R"("\u0008")",
    R"("\ud83d\ude00")", R"("\udc00")", R"("\n")", "\"\xc3\xa9\"", "\"\xff\"", "\"\x01\"", "0",
    "-0", "1", "-1", "1.0", "1.50", "0.1", "-0.0", "1e5", "1E+2", "1e+20", "12345678901234567890",
    "18446744073709551615", "-9223372036854775808", "-9223372036854775809",
    "1.7976931348623157e308", "1e400", "5e-324", "1e-400", "true", "false", "null", "tru", "01",
    "1.", ".5"};
constexpr std::string_view keys[] = {R"("a")", R"("b")", R"("a")", R"("\u0061")", R"("")",
                                     "\"\xc3\xa9\""};
constexpr std::string_view spaces[] = {"", "", "", "", "", " ", "\n", "\t ", "\r"};

template <std::size_t N>
std::string_view pick(std::mt19937& rng, const std::string_view (&choices)[N]) {
  return choices[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

// Mostly well-formed JSON (about half of it compact) built from the edge tokens.
std::string random_value(std::mt19937& rng, int depth) {
  const int kind = std::uniform_int_distribution<int>(0, depth > 3 ? 0 : 2)(rng);
  std::string text(pick(rng, spaces));
  if (kind == 0) {
    text += pick(rng, scalars);
  } else {
    const bool object = kind == 1;
    text += object ? '{' : '[';
    for (int i = std::uniform_int_distribution<int>(0, 4)(rng); i > 0; --i) {
      if (object) text += std::string(pick(rng, keys)) + std::string(pick(rng, spaces)) + ':';
      text += random_value(rng, depth + 1) + (i > 1 ? "," : "");
    }
    text += object ? '}' : ']';
  }
  return text + std::string(pick(rng, spaces));
}

// Arbitrary sequences of the same tokens and punctuation: mostly not JSON.
std::string random_json_like(std::mt19937& rng) {
  static constexpr std::string_view punctuation[] = {"{", "}", "[", "]", ",", ":", " "};
  std::string text;
  for (int i = std::uniform_int_distribution<int>(1, 10)(rng); i > 0; --i) {
    text +=
        std::uniform_int_distribution<int>(0, 1)(rng) ? pick(rng, punctuation) : pick(rng, scalars);
  }
  return text;
}

}  // namespace

TEST_SUITE_BEGIN("output_json_check");

TEST_CASE("the embedding rule") {
  using mqtk::cli::is_compact_json;
  CHECK(is_compact_json(R"({"b":1,"a":2})"));  // member order is kept
  CHECK(is_compact_json("[]"));
  CHECK(is_compact_json("{}"));
  CHECK(is_compact_json("1.0"));
  CHECK(is_compact_json("0.1"));
  CHECK(is_compact_json("-0.0"));
  CHECK(is_compact_json("18446744073709551615"));
  CHECK(is_compact_json("\"\xc3\xa9\\u001f\\n\""));
  CHECK_FALSE(is_compact_json(""));
  CHECK_FALSE(is_compact_json(" 1"));
  CHECK_FALSE(is_compact_json(R"({"a":1,"a":2})"));  // repeated key: dump() keeps one
  CHECK_FALSE(is_compact_json("-0"));
  CHECK_FALSE(is_compact_json("1.50"));
  CHECK_FALSE(is_compact_json("1E5"));
  CHECK_FALSE(is_compact_json("18446744073709551616"));  // becomes a double
  CHECK_FALSE(is_compact_json(R"("\/")"));
  CHECK_FALSE(is_compact_json(R"("\u00e9")"));
  CHECK_FALSE(is_compact_json(R"("\u001F")"));
  CHECK_FALSE(is_compact_json("tru"));
  CHECK_FALSE(is_compact_json("{\"a\":1}x"));
  CHECK_FALSE(is_compact_json("\xEF\xBB\xBF{}"));
  CHECK_FALSE(is_compact_json("[\"\xff\"]"));
  CHECK(is_compact_json(std::string(512, '[') + std::string(512, ']')));
  CHECK_FALSE(is_compact_json(std::string(513, '[') + std::string(513, ']')));
  CHECK_FALSE(is_compact_json(std::string(100000, '[') + std::string(100000, ']')));
  CHECK_FALSE(mqtk::cli::is_json(std::string(513, '[') + std::string(513, ']')));

  // Past 64 keys in open objects the checker stops tracking them and asks nlohmann.
  std::string many_keys = "{";
  for (int i = 0; i < 70; ++i) many_keys += "\"k" + std::to_string(i) + "\":{\"x\":1},";
  CHECK(is_compact_json(many_keys + "\"last\":0}"));
  CHECK_FALSE(is_compact_json(many_keys + "\"k69\":0}"));
  CHECK_FALSE(is_compact_json(many_keys + "\"k1\":0}"));
}

TEST_CASE("the checker agrees with nlohmann on random JSON and JSON-like text") {
  std::mt19937 rng(7);
  int json_count = 0;
  int compact_count = 0;
  for (int i = 0; i < 100000; ++i) {
    const std::string text = i % 4 == 0 ? random_json_like(rng) : random_value(rng, 0);
    CAPTURE(text);
    const bool valid = is_json(text);
    REQUIRE(valid == nlohmann::json::accept(text));
    const bool compact = is_compact_json(text);
    REQUIRE(compact == dump_reproduces(text));
    json_count += valid ? 1 : 0;
    compact_count += compact ? 1 : 0;
  }
  // The generators do reach every outcome often.
  CHECK(json_count > 20000);
  CHECK(compact_count > 5000);
  CHECK(json_count - compact_count > 10000);
}

TEST_CASE("json_nesting_depth") {
  using mqtk::cli::json_nesting_depth;
  CHECK(json_nesting_depth("") == 0);
  CHECK(json_nesting_depth("1") == 0);
  CHECK(json_nesting_depth("[{},[[]]]") == 3);
  CHECK(json_nesting_depth(R"(["[[[[", {"\"[[": 1}])") == 2);
}

TEST_SUITE_END();
