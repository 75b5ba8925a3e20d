// emqtt-bench topic templates: %i, %c, %rand_N, and the filter a subscriber derives.
#include <doctest/doctest.h>

#include <random>

#include "bench/topic_template.hpp"
#include <mqtk/error.hpp>

using namespace mqtk::bench;

TEST_SUITE_BEGIN("bench.topic_template");

TEST_CASE("%i and %c are filled in per client") {
  CHECK(expand_client_topic("bench/%i", 42, "c-42") == "bench/42");
  CHECK(expand_client_topic("t/%c/x%i", 7, "id") == "t/id/x7");
  CHECK(expand_client_topic("plain", 1, "c") == "plain");
}

TEST_CASE("%rand_N draws 1..N per message") {
  std::mt19937_64 random(1);
  for (int i = 0; i < 200; ++i) {
    const std::string topic = expand_random("s/%rand_3/v", random);
    CHECK((topic == "s/1/v" || topic == "s/2/v" || topic == "s/3/v"));
  }
  CHECK(has_random_part("a/%rand_10"));
  CHECK_FALSE(has_random_part("a/%i"));
}

TEST_CASE("the subscription filter replaces placeholder levels by +") {
  CHECK(subscription_filter("bench/%i") == "bench/+");
  CHECK(subscription_filter("bench/c%i/%rand_5/data") == "bench/+/+/data");
  CHECK(subscription_filter("fixed/topic") == "fixed/topic");
}

TEST_CASE("unknown placeholders are usage errors naming the flag") {
  CHECK_NOTHROW(validate_topic_template("a/%i/%c/%rand_4", "-t"));
  CHECK_THROWS_AS(validate_topic_template("a/%x", "-t"), mqtk::UsageError);
  CHECK_THROWS_WITH_AS(validate_topic_template("a/%rand_", "-t"), doctest::Contains("-t 'a/%rand_'"), mqtk::UsageError);
}
