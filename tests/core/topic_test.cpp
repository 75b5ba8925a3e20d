// Topic names and filters against MQTT 5.0 section 4.7: every example of 4.7.1.2, 4.7.1.3,
// 4.7.2 and 4.7.3, shared subscriptions (4.8.2), UTF-8 edge cases (1.5.4) and the length limit.

#include <mqtk/topic.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include <mqtk/error.hpp>

namespace {

using mqtk::topic_filter_problem;
using mqtk::topic_matches;
using mqtk::topic_name_problem;
using mqtk::TopicFilter;

const std::string hash_misplaced = "'#' must be the last level and occupy a whole level";
const std::string plus_partial = "'+' must occupy a whole level";
const std::string name_wildcard = "topic name must not contain wildcards '+' or '#'";

struct ProblemCase {
  std::string input;
  std::string problem;  // empty = valid
};

struct MatchCase {
  std::string filter;
  std::string topic;
  bool matches;
};

// Bytes spelled out, so that invalid sequences and NUL survive.
std::string bytes(std::initializer_list<unsigned char> values) {
  return std::string(values.begin(), values.end());
}

void check_filter_problems(const std::vector<ProblemCase>& cases) {
  for (const ProblemCase& c : cases) {
    CAPTURE(c.input);
    CHECK(topic_filter_problem(c.input) == c.problem);
  }
}

void check_name_problems(const std::vector<ProblemCase>& cases) {
  for (const ProblemCase& c : cases) {
    CAPTURE(c.input);
    CHECK(topic_name_problem(c.input) == c.problem);
  }
}

// Checks topic_matches() and TopicFilter::matches() (which has its own no-wildcard fast path).
void check_matches(const std::vector<MatchCase>& cases) {
  for (const MatchCase& c : cases) {
    CAPTURE(c.filter);
    CAPTURE(c.topic);
    REQUIRE(topic_filter_problem(c.filter) == "");
    REQUIRE(topic_name_problem(c.topic) == "");
    CHECK(topic_matches(c.filter, c.topic) == c.matches);
    CHECK(TopicFilter(c.filter).matches(c.topic) == c.matches);
  }
}

}  // namespace

TEST_CASE("topic filter wildcard placement (4.7.1.2, 4.7.1.3)") {
  check_filter_problems({
      // 4.7.1.2 multi-level wildcard
      {"sport/tennis/player1/#", ""},
      {"#", ""},
      {"sport/tennis/#", ""},
      {"sport/tennis#", hash_misplaced},
      {"sport/tennis/#/ranking", hash_misplaced},
      {"#/", hash_misplaced},
      {"#/a", hash_misplaced},
      {"a/#/#", hash_misplaced},
      {"##", hash_misplaced},
      {"a/b#", hash_misplaced},
      {"a/#b", hash_misplaced},
      // 4.7.1.3 single-level wildcard
      {"+", ""},
      {"+/tennis/#", ""},
      {"sport+", plus_partial},
      {"sport/+/player1", ""},
      {"+/+", ""},
      {"/+", ""},
      {"+/", ""},
      {"++", plus_partial},
      {"a/+b", plus_partial},
      {"a/b+/c", plus_partial},
      {"+/+/+/#", ""},
      // no wildcards at all, and empty levels (4.7.3: "/" and "//" are valid)
      {"sport/tennis/player1", ""},
      {"/", ""},
      {"//", ""},
      {"/finance", ""},
      {"Accounts payable", ""},
      {"$SYS/#", ""},
      {"$SYS/monitor/+", ""},
      {"", "topic filter must not be empty"},
  });
}

TEST_CASE("topic name rules (4.7.1.1, 4.7.3)") {
  check_name_problems({
      {"sport/tennis/player1", ""},
      {"sport/tennis/player1/ranking", ""},
      {"/", ""},
      {"/finance", ""},
      {"ACCOUNTS", ""},
      {"Accounts payable", ""},
      {"$SYS/monitor/Clients", ""},
      {"$share/group/topic", ""},  // only filters are shared; as a name it is just a $-topic
      {"", "topic must not be empty"},
      {"#", name_wildcard},
      {"+", name_wildcard},
      {"sport/+/player1", name_wildcard},
      {"sport/tennis/#", name_wildcard},
      {"sport+", name_wildcard},
      {"a#b", name_wildcard},
  });
}

TEST_CASE("multi-level wildcard matching (4.7.1.2)") {
  check_matches({
      {"sport/tennis/player1/#", "sport/tennis/player1", true},
      {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
      {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
      {"sport/tennis/player1/#", "sport/tennis/player2", false},
      {"sport/tennis/player1/#", "sport/tennis", false},
      {"sport/#", "sport", true},
      {"sport/#", "sport/", true},
      {"sport/#", "sports", false},
      {"sport/#", "sport/tennis/player1", true},
      {"#", "sport", true},
      {"#", "/", true},
      {"#", "a/b/c/d/e", true},
      {"sport/tennis/#", "sport/tennis/player1/ranking", true},
      {"sport/tennis/#", "sport/football", false},
  });
}

TEST_CASE("single-level wildcard matching (4.7.1.3)") {
  check_matches({
      {"sport/tennis/+", "sport/tennis/player1", true},
      {"sport/tennis/+", "sport/tennis/player2", true},
      {"sport/tennis/+", "sport/tennis/player1/ranking", false},
      {"sport/tennis/+", "sport/tennis", false},
      {"sport/+", "sport", false},
      {"sport/+", "sport/", true},
      {"+", "sport", true},
      {"+", "sport/", false},
      {"+/+", "/finance", true},
      {"/+", "/finance", true},
      {"+", "/finance", false},
      {"+/tennis/#", "sport/tennis/player1", true},
      {"+/tennis/#", "sport/tennis", true},
      {"+/tennis/#", "sport/golf", false},
      {"sport/+/player1", "sport/tennis/player1", true},
      {"sport/+/player1", "sport//player1", true},
      {"sport/+/player1", "sport/tennis/player2", false},
      {"sport/+/player1", "sport/tennis/player1/x", false},
      {"+/+", "/", true},
      {"+/+", "a", false},
      {"a/+/+", "a/b", false},
      {"+/+/#", "a/b", true},
  });
}

TEST_CASE("topics beginning with $ (4.7.2)") {
  check_matches({
      {"#", "$SYS/monitor/Clients", false},
      {"+/monitor/Clients", "$SYS/monitor/Clients", false},
      {"$SYS/#", "$SYS/monitor/Clients", true},
      {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
      {"$SYS/#", "$SYS", true},
      {"+", "$SYS", false},
      {"#", "$", false},
      {"+/#", "$SYS/x", false},
      {"$SYS/monitor/Clients", "$SYS/monitor/Clients", true},
  });
}

TEST_CASE("plain filters compare bytes exactly (4.7.3)") {
  check_matches({
      {"ACCOUNTS", "ACCOUNTS", true},
      {"ACCOUNTS", "Accounts", false},
      {"Accounts payable", "Accounts payable", true},
      {"/finance", "finance", false},
      {"finance", "/finance", false},
      {"/", "/", true},
      {"a/b", "a/b/", false},
      {"a/b/", "a/b", false},
      {"caf\xC3\xA9", "caf\xC3\xA9", true},
      {"caf\xC3\xA9", "cafe", false},
  });
}

TEST_CASE("shared subscriptions (4.8.2)") {
  check_filter_problems({
      {"$share/group/sport/#", ""},
      {"$share/g/+", ""},
      {"$share/g/#", ""},
      {"$share/g//", ""},
      {"$share/consumer1/sport/tennis/+", ""},
      {"$share/g", "shared subscription needs a topic filter after '$share/g/'"},
      {"$share/g/", "shared subscription needs a topic filter after '$share/g/'"},
      {"$share/", "shared subscription group must not be empty"},
      {"$share//a", "shared subscription group must not be empty"},
      {"$share/g+/a", "shared subscription group must not contain '+' or '#'"},
      {"$share/#/a", "shared subscription group must not contain '+' or '#'"},
      {"$share/+/a", "shared subscription group must not contain '+' or '#'"},
      {"$share/g/a/#/b", hash_misplaced},
      {"$share/g/a+", plus_partial},
      {"$share", ""},  // no '/' after it: an ordinary $-filter
      {"$shared/g/a", ""},
  });

  const TopicFilter shared("$share/workers/jobs/+/done");
  CHECK(shared.is_shared());
  CHECK(shared.share_group() == "workers");
  CHECK(shared.match_filter() == "jobs/+/done");
  CHECK(shared.str() == "$share/workers/jobs/+/done");
  CHECK(shared.has_wildcards());
  CHECK(shared.matches("jobs/7/done"));
  CHECK_FALSE(shared.matches("jobs/7/failed"));
  CHECK_FALSE(shared.matches("$share/workers/jobs/7/done"));

  const TopicFilter shared_plain("$share/g/a/b");
  CHECK(shared_plain.match_filter() == "a/b");
  CHECK_FALSE(shared_plain.has_wildcards());
  CHECK(shared_plain.matches("a/b"));
  CHECK_FALSE(shared_plain.matches("$share/g/a/b"));

  const TopicFilter shared_all("$share/g/#");
  CHECK(shared_all.matches("anything/at/all"));
  CHECK_FALSE(shared_all.matches("$SYS/broker"));  // the $ rule applies to the shared part too
}

TEST_CASE("UTF-8 and U+0000 (1.5.4)") {
  const std::vector<ProblemCase> cases = {
      {"caf\xC3\xA9", ""},                                      // U+00E9, 2 bytes
      {"\xE2\x82\xAC/price", ""},                               // U+20AC, 3 bytes
      {"emoji/\xF0\x9F\x98\x80", ""},                           // U+1F600, 4 bytes
      {bytes({'a', 0xF4, 0x8F, 0xBF, 0xBF}), ""},               // U+10FFFF, the highest
      {bytes({0xED, 0x9F, 0xBF}), ""},                          // U+D7FF, just below surrogates
      {bytes({0xEE, 0x80, 0x80}), ""},                          // U+E000, just above
      {bytes({0xEF, 0xBF, 0xBF}), ""},                          // U+FFFF noncharacter: allowed
      {bytes({0x01, 'a', 0x7F}), ""},                           // control characters: allowed
      {bytes({0xC2, 0x80}), ""},                                // U+0080, smallest 2-byte
      {bytes({0xE0, 0xA0, 0x80}), ""},                          // U+0800, smallest 3-byte
      {bytes({0xF0, 0x90, 0x80, 0x80}), ""},                    // U+10000, smallest 4-byte
      {bytes({'a', 'b', 'c', 0x00}), "topic contains U+0000 at byte 3"},
      {bytes({0x00}), "topic contains U+0000 at byte 0"},
      {bytes({'a', '/', 0x00, '/', 'b'}), "topic contains U+0000 at byte 2"},
      {bytes({'a', 'b', 'c', 'd', 0x80}), "invalid UTF-8 at byte 4"},  // lone continuation
      {bytes({0xC0, 0x80}), "invalid UTF-8 at byte 0"},                 // overlong U+0000
      {bytes({'x', 0xC1, 0xBF}), "invalid UTF-8 at byte 1"},            // overlong U+007F
      {bytes({0xE0, 0x80, 0xAF}), "invalid UTF-8 at byte 0"},           // overlong '/'
      {bytes({0xE0, 0x9F, 0xBF}), "invalid UTF-8 at byte 0"},           // overlong U+07FF
      {bytes({0xF0, 0x8F, 0xBF, 0xBF}), "invalid UTF-8 at byte 0"},     // overlong U+FFFF
      {bytes({'a', 0xED, 0xA0, 0x80}), "invalid UTF-8 at byte 1"},      // U+D800 surrogate
      {bytes({0xED, 0xBF, 0xBF}), "invalid UTF-8 at byte 0"},           // U+DFFF surrogate
      {bytes({0xF4, 0x90, 0x80, 0x80}), "invalid UTF-8 at byte 0"},     // U+110000
      {bytes({0xF5, 0x80, 0x80, 0x80}), "invalid UTF-8 at byte 0"},
      {bytes({'a', 0xFF}), "invalid UTF-8 at byte 1"},
      {bytes({'a', 'b', 0xC3}), "invalid UTF-8 at byte 2"},             // cut short at the end
      {bytes({0xE2, 0x82}), "invalid UTF-8 at byte 0"},
      {bytes({0xF0, 0x9F, 0x98}), "invalid UTF-8 at byte 0"},
      {bytes({0xC3, 'A'}), "invalid UTF-8 at byte 0"},                  // missing continuation
      {bytes({0xE2, 0x82, 'A'}), "invalid UTF-8 at byte 0"},
      {bytes({'o', 'k', 0xC3, 0xA9, 0xA9}), "invalid UTF-8 at byte 4"},  // one continuation too many
  };
  check_name_problems(cases);

  // Filters report the same offsets, naming themselves.
  CHECK(topic_filter_problem(bytes({'a', '/', 0x00})) == "topic filter contains U+0000 at byte 2");
  CHECK(topic_filter_problem(bytes({'+', '/', 0xED, 0xA0, 0x80})) == "invalid UTF-8 at byte 2");
  CHECK(topic_filter_problem(bytes({'$', 's', 'h', 'a', 'r', 'e', '/', 0xC0, 0x80, '/', 'a'})) ==
        "invalid UTF-8 at byte 7");
}

TEST_CASE("the 65535-byte limit (1.5.4)") {
  CHECK(topic_name_problem(std::string(65535, 'a')) == "");
  CHECK(topic_name_problem(std::string(65536, 'a')) == "topic is 65536 bytes, the limit is 65535");
  CHECK(topic_name_problem(std::string(70000, 'a')) == "topic is 70000 bytes, the limit is 65535");
  // Built with append, not operator+: GCC 12 warns falsely (-Warray-bounds) on the latter.
  std::string longest_filter(65533, 'a');
  longest_filter.append("/#");
  CHECK(topic_filter_problem(longest_filter) == "");
  std::string too_long_filter(65534, 'a');
  too_long_filter.append("/#");
  CHECK(topic_filter_problem(too_long_filter) == "topic filter is 65536 bytes, the limit is 65535");
  // The limit counts bytes, not characters: 21845 three-byte euro signs are 65535 bytes.
  std::string euros;
  for (int i = 0; i < 21845; ++i) euros += "\xE2\x82\xAC";
  CHECK(topic_name_problem(euros) == "");
  CHECK(topic_name_problem(euros + "x") == "topic is 65536 bytes, the limit is 65535");
  // The $share prefix is part of what goes on the wire.
  CHECK(topic_filter_problem("$share/g/" + std::string(65526, 'a')) == "");
  CHECK(topic_filter_problem("$share/g/" + std::string(65527, 'a')) ==
        "topic filter is 65536 bytes, the limit is 65535");
}

TEST_CASE("Topic and TopicFilter throw UsageError naming value and problem") {
  CHECK_THROWS_WITH_AS(mqtk::Topic("a/+"),
                       "invalid topic 'a/+': topic name must not contain wildcards '+' or '#'",
                       mqtk::UsageError);
  CHECK_THROWS_WITH_AS(mqtk::Topic(""), "invalid topic '': topic must not be empty",
                       mqtk::UsageError);
  CHECK_THROWS_WITH_AS(TopicFilter("a/#/b"),
                       "invalid topic filter 'a/#/b': '#' must be the last level and occupy a "
                       "whole level",
                       mqtk::UsageError);
  CHECK_THROWS_WITH_AS(TopicFilter("$share/g"),
                       "invalid topic filter '$share/g': shared subscription needs a topic filter "
                       "after '$share/g/'",
                       mqtk::UsageError);
  // Raw control and non-UTF-8 bytes are escaped so the message stays one printable line.
  CHECK_THROWS_WITH_AS(mqtk::Topic(bytes({'a', 'b', 0x00, 'c'})),
                       "invalid topic 'ab\\x00c': topic contains U+0000 at byte 2",
                       mqtk::UsageError);
  CHECK_THROWS_WITH_AS(mqtk::Topic(bytes({0xC3, 0xA9, 0xFF, '\n'})),
                       "invalid topic '\xC3\xA9\\xff\\x0a': invalid UTF-8 at byte 2",
                       mqtk::UsageError);
  // A huge value is cut after 80 bytes.
  CHECK_THROWS_WITH_AS(mqtk::Topic(std::string(70000, 'a')),
                       ("invalid topic '" + std::string(80, 'a') +
                        "...': topic is 70000 bytes, the limit is 65535")
                           .c_str(),
                       mqtk::UsageError);
  const mqtk::UsageError error = [] {
    try {
      TopicFilter bad("sport+");
    } catch (const mqtk::UsageError& e) {
      return e;
    }
    return mqtk::UsageError("no throw");
  }();
  CHECK(error.category() == mqtk::ErrorCategory::usage);
  CHECK(std::string(error.what()) == "invalid topic filter 'sport+': '+' must occupy a whole level");
}

TEST_CASE("Topic and TopicFilter values") {
  const mqtk::Topic topic("sport/tennis");
  CHECK(topic.str() == "sport/tennis");
  CHECK(topic == mqtk::Topic("sport/tennis"));
  CHECK_FALSE(topic == mqtk::Topic("sport/golf"));

  const TopicFilter plain("sport/tennis");
  CHECK_FALSE(plain.is_shared());
  CHECK(plain.share_group().empty());
  CHECK(plain.match_filter() == "sport/tennis");
  CHECK_FALSE(plain.has_wildcards());
  CHECK(plain.matches("sport/tennis"));
  CHECK_FALSE(plain.matches("sport/tennis/"));

  const TopicFilter wild("sport/+");
  CHECK(wild.has_wildcards());
  CHECK(wild == TopicFilter("sport/+"));
  CHECK_FALSE(wild == TopicFilter("sport/#"));
}
