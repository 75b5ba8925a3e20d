// Backoff: exponential growth from min_delay, the max_delay cap, jitter bounds, reset, and the
// clamping of nonsensical options. Unit tests: no network, no clock.

#include <mqtk/reconnect.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <vector>

using namespace std::chrono_literals;
using mqtk::Backoff;
using mqtk::ReconnectOptions;

namespace {

ReconnectOptions policy(std::chrono::milliseconds min_delay, std::chrono::milliseconds max_delay,
                        double jitter) {
  ReconnectOptions options;
  options.enabled = true;
  options.min_delay = min_delay;
  options.max_delay = max_delay;
  options.jitter = jitter;
  return options;
}

std::vector<long long> delays(Backoff& backoff, int count) {
  std::vector<long long> out;
  for (int i = 0; i < count; ++i) out.push_back(backoff.next().count());
  return out;
}

}  // namespace

TEST_CASE("without jitter the delay doubles from min_delay and stops at max_delay") {
  Backoff backoff(policy(100ms, 1000ms, 0.0));
  CHECK(delays(backoff, 7) == std::vector<long long>{100, 200, 400, 800, 1000, 1000, 1000});
  CHECK(backoff.attempts() == 7);
}

TEST_CASE("reset starts the sequence again from min_delay") {
  Backoff backoff(policy(50ms, 10s, 0.0));
  CHECK(delays(backoff, 3) == std::vector<long long>{50, 100, 200});
  backoff.reset();
  CHECK(backoff.attempts() == 0);
  CHECK(delays(backoff, 2) == std::vector<long long>{50, 100});
}

TEST_CASE("jittered delays stay within [1 - jitter, 1 + jitter] of the base and under the cap") {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    Backoff backoff(policy(1000ms, 8000ms, 0.2), seed);
    const double bases[] = {1000, 2000, 4000, 8000, 8000, 8000};
    for (double base : bases) {
      const auto delay = static_cast<double>(backoff.next().count());
      CHECK(delay >= base * 0.8 - 1);   // truncation to whole milliseconds
      CHECK(delay <= std::min(base * 1.2, 8000.0));
    }
  }
}

TEST_CASE("jitter actually varies the delay, and the same seed repeats the sequence") {
  std::set<long long> first_delays;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Backoff backoff(policy(1000ms, 30s, 0.5), seed);
    first_delays.insert(backoff.next().count());
  }
  CHECK(first_delays.size() > 1);

  Backoff a(policy(100ms, 5s, 0.3), 42);
  Backoff b(policy(100ms, 5s, 0.3), 42);
  CHECK(delays(a, 10) == delays(b, 10));
}

TEST_CASE("many attempts never overflow: the delay stays at the cap") {
  Backoff backoff(policy(1ms, 60s, 0.0));
  for (int i = 0; i < 200; ++i) backoff.next();
  CHECK(backoff.next() == 60s);
}

TEST_CASE("nonsensical options are clamped") {
  SUBCASE("zero or negative min_delay becomes 1 ms") {
    Backoff backoff(policy(0ms, 0ms, 0.0));
    CHECK(backoff.next() == 1ms);
    Backoff negative(policy(-5ms, 4ms, 0.0));
    CHECK(delays(negative, 4) == std::vector<long long>{1, 2, 4, 4});
  }
  SUBCASE("max_delay below min_delay is raised to min_delay") {
    Backoff backoff(policy(500ms, 100ms, 0.0));
    CHECK(delays(backoff, 3) == std::vector<long long>{500, 500, 500});
  }
  SUBCASE("jitter outside [0, 1] is clamped, and a delay is never below 1 ms") {
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
      Backoff backoff(policy(10ms, 10ms, 7.0), seed);  // jitter 1.0: factor in [0, 2]
      const auto delay = backoff.next();
      CHECK(delay >= 1ms);
      CHECK(delay <= 10ms);
    }
    Backoff negative(policy(100ms, 1s, -3.0), 7);  // jitter 0
    CHECK(delays(negative, 3) == std::vector<long long>{100, 200, 400});
  }
}
