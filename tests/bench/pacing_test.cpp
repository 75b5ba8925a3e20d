// Open-loop pacing: which messages are due when, who sends them, and their intended times.
#include <doctest/doctest.h>

#include "bench/pacing.hpp"

using mqtk::bench::OpenLoopSchedule;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("bench.pacing");

TEST_CASE("a paced schedule releases rate x elapsed messages, round robin over publishers") {
  const auto start = OpenLoopSchedule::Clock::time_point{} + 10s;
  const OpenLoopSchedule schedule(start, 1000.0, 4, OpenLoopSchedule::kUnlimited);
  CHECK(schedule.paced());
  CHECK(schedule.due_by(start - 1ms) == 0);
  CHECK(schedule.due_by(start) == 1);  // message 0 is due at the start
  CHECK(schedule.due_by(start + 10ms) == 11);
  CHECK(schedule.due_by(start + 1s) == 1001);
  // Of the first 11 messages, publisher 0 has 0, 4, 8; publisher 3 has 3, 7.
  CHECK(schedule.due_for(0, 11) == 3);
  CHECK(schedule.due_for(3, 11) == 2);
  CHECK(schedule.due_for(3, 3) == 0);
  // Publisher 1's third message is message 9, due 9 ms after the start, however late it goes.
  CHECK(schedule.intended_time(1, 2) == start + 9ms);
  CHECK(schedule.next_due_time(11) == start + 11ms);
}

TEST_CASE("a total caps the schedule and splits it over the publishers") {
  const auto start = OpenLoopSchedule::Clock::time_point{};
  const OpenLoopSchedule schedule(start, 100.0, 3, 10);
  CHECK(schedule.due_by(start + 1h) == 10);
  CHECK(schedule.quota_for(0) == 4);
  CHECK(schedule.quota_for(1) == 3);
  CHECK(schedule.quota_for(2) == 3);
  CHECK(schedule.next_due_time(10) == OpenLoopSchedule::Clock::time_point::max());
}

TEST_CASE("rate 0 is unpaced: everything is due at once") {
  const OpenLoopSchedule schedule({}, 0.0, 2, 7);
  CHECK_FALSE(schedule.paced());
  CHECK(schedule.due_by({}) == 7);
  CHECK(schedule.quota_for(0) == 4);
  CHECK(schedule.quota_for(1) == 3);
  const OpenLoopSchedule unlimited({}, 0.0, 2, OpenLoopSchedule::kUnlimited);
  CHECK(unlimited.quota_for(1) == OpenLoopSchedule::kUnlimited);
}
