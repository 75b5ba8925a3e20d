// Bridge rules without a network: prefix remapping, filter overlap (wildcards, the parent level
// of '#', shared subscriptions) and the echo check that refuses a two-way bridge without MQTT 5.

#include <doctest/doctest.h>

#include "core/bridge_rule.hpp"
#include <mqtk/error.hpp>

using mqtk::BridgeDirection;
using mqtk::BridgeRule;
using mqtk::TopicRemap;

TEST_CASE("--remap replaces a leading prefix and leaves other topics alone") {
  const TopicRemap remap = TopicRemap::parse("sensors/=site-a/sensors/");
  CHECK(remap.apply("sensors/kitchen/t") == "site-a/sensors/kitchen/t");
  CHECK(remap.apply("other/sensors/x") == "other/sensors/x");
  CHECK(remap.apply("sensors") == "sensors");
  CHECK(TopicRemap::parse("=prefix/").apply("a/b") == "prefix/a/b");
  CHECK(TopicRemap::parse("drop/=").apply("drop/a") == "a");
  CHECK_THROWS_AS(TopicRemap::parse("no-equals"), mqtk::UsageError);
  CHECK_THROWS_AS(TopicRemap::parse("="), mqtk::UsageError);
  CHECK_THROWS_AS(TopicRemap::parse("a/+=b/"), mqtk::UsageError);
  CHECK_THROWS_AS(TopicRemap::parse("a/=b/#"), mqtk::UsageError);
}

TEST_CASE("filters overlap when some topic matches both") {
  CHECK(mqtk::filters_overlap("a/b", "a/b"));
  CHECK_FALSE(mqtk::filters_overlap("a/b", "a/c"));
  CHECK(mqtk::filters_overlap("a/+", "a/b"));
  CHECK(mqtk::filters_overlap("+/b", "a/+"));
  CHECK_FALSE(mqtk::filters_overlap("a/+", "a/b/c"));
  CHECK(mqtk::filters_overlap("#", "x/y/z"));
  CHECK(mqtk::filters_overlap("a/#", "a"));  // '#' also matches the parent level
  CHECK_FALSE(mqtk::filters_overlap("a/b/#", "a"));
  CHECK(mqtk::filters_overlap("a/#", "+/b/c"));
  CHECK_FALSE(mqtk::filters_overlap("a/#", "b/#"));
  CHECK(mqtk::filters_overlap("$share/g/a/+", "a/x"));
}

TEST_CASE("a two-way bridge echoes when one direction's destination topics meet the other's filter") {
  auto rule = [](std::string filter, BridgeDirection direction, std::optional<std::string> remap = {}) {
    BridgeRule r;
    r.filter = std::move(filter);
    r.direction = direction;
    if (remap) r.remap = TopicRemap::parse(*remap);
    return r;
  };
  const auto forward = BridgeDirection::forward;
  const auto reverse = BridgeDirection::reverse;
  CHECK_FALSE(mqtk::echo_problem({rule("a/#", forward)}).has_value());
  CHECK_FALSE(mqtk::echo_problem({rule("up/#", forward), rule("down/#", reverse)}).has_value());
  CHECK(mqtk::echo_problem({rule("#", forward), rule("cmd/#", reverse)}).has_value());
  // Remapped away from what the other direction reads: no echo; onto it: an echo.
  CHECK_FALSE(mqtk::echo_problem({rule("x/#", forward, "x/=site/x/"), rule("cmd/#", reverse)}).has_value());
  CHECK(mqtk::echo_problem({rule("x/#", forward, "x/=site/x/"), rule("site/+/y", reverse)}).has_value());
  // The reverse direction lands in what the forward one reads.
  CHECK(mqtk::echo_problem({rule("x/#", forward, "x/=site/x/"), rule("cmd/#", reverse, "cmd/=x/cmd/")}).has_value());
  // Remapped onto it: an echo, named.
  const auto problem = mqtk::echo_problem({rule("in/#", forward, "in/=out/"), rule("out/+", reverse)});
  REQUIRE(problem.has_value());
  CHECK(*problem == "-t 'in/#' publishes to 'out/#', which --reverse 'out/+' reads back");
  // A wildcard that reaches into the prefix may land anywhere under the new one.
  CHECK(mqtk::echo_problem({rule("#", forward, "a/=b/"), rule("b/c", reverse)}).has_value());
  CHECK(mqtk::destination_filters(rule("#", forward, "a/=b/")) == std::vector<std::string>{"#", "b/#"});
}
