// SequenceTracker: loss, duplicates and reordering per publisher, checked against hand-worked
// cases and against an exact set-based model on a long perturbed stream.

#include "bench/sequence_tracker.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

using mqtk::bench::SequenceCounts;
using mqtk::bench::SequenceTracker;
using Arrival = SequenceTracker::Arrival;

namespace {

SequenceCounts feed(SequenceTracker tracker, const std::vector<std::uint64_t>& sequence) {
  for (std::uint64_t n : sequence) tracker.record(n);
  return tracker.counts();
}

}  // namespace

TEST_CASE("an in-order stream has no loss, duplicates or reordering") {
  SequenceTracker tracker;
  for (std::uint64_t n = 0; n < 10'000; ++n) REQUIRE(tracker.record(n) == Arrival::in_order);
  CHECK(tracker.counts() == SequenceCounts{10'000, 0, 0, 0});
  CHECK(tracker.counts(10'000) == SequenceCounts{10'000, 0, 0, 0});
  CHECK(tracker.counts(10'005).lost == 5);  // the tail the publisher sent that never came
}

TEST_CASE("gaps are lost until they arrive late; repeats are duplicates") {
  SequenceTracker tracker;
  for (std::uint64_t n : {0, 1, 2, 5, 6}) tracker.record(n);
  CHECK(tracker.counts() == SequenceCounts{5, 0, 0, 2});
  CHECK(tracker.record(3) == Arrival::out_of_order);
  CHECK(tracker.counts() == SequenceCounts{6, 0, 1, 1});
  CHECK(tracker.record(3) == Arrival::duplicate);
  CHECK(tracker.record(6) == Arrival::duplicate);
  CHECK(tracker.counts() == SequenceCounts{6, 2, 1, 1});
}

TEST_CASE("the first message is number 0 unless the receiver joined late") {
  CHECK(feed(SequenceTracker(), {100, 101, 102}) == SequenceCounts{3, 0, 0, 100});
  CHECK(feed(SequenceTracker::start_at_first_seen(), {100, 101, 102}) == SequenceCounts{3, 0, 0, 0});
  // An earlier number arriving after the first seen extends the range downwards.
  CHECK(feed(SequenceTracker::start_at_first_seen(), {100, 98, 101}) == SequenceCounts{3, 0, 1, 1});
  CHECK(SequenceTracker().counts(7) == SequenceCounts{0, 0, 0, 7});
}

TEST_CASE("jumps past the window and arrivals older than it") {
  const std::uint64_t w = SequenceTracker::kWindow;
  SequenceTracker tracker;
  tracker.record(0);
  tracker.record(3 * w);  // everything between is missing
  CHECK(tracker.counts().lost == 3 * w - 1);
  CHECK(tracker.record(3 * w) == Arrival::duplicate);
  CHECK(tracker.record(1) == Arrival::out_of_order);  // too old to check: counted as new
  CHECK(tracker.counts() == SequenceCounts{3, 1, 1, 3 * w - 2});
  CHECK(tracker.record(3 * w - 1) == Arrival::out_of_order);  // inside the window again
  CHECK(tracker.record(3 * w - 1) == Arrival::duplicate);
}

TEST_CASE("a long reordered, lossy, duplicating stream matches an exact model") {
  std::mt19937_64 random(99);
  std::vector<std::uint64_t> stream;
  for (std::uint64_t n = 0; n < 200'000; ++n) {
    if (random() % 1000 < 3) continue;                 // lost
    stream.push_back(n);
    if (random() % 1000 < 2) stream.push_back(n);      // duplicated at once
  }
  // Local reordering: swap neighbours up to 100 apart (well inside the window).
  for (std::size_t i = 0; i + 100 < stream.size(); i += 37)
    if (random() % 10 == 0) std::swap(stream[i], stream[i + random() % 100]);
  // A few late duplicates within the window.
  for (int k = 0; k < 50; ++k) {
    std::size_t at = 1000 + random() % (stream.size() - 1000);
    stream.insert(stream.begin() + static_cast<std::ptrdiff_t>(at), stream[at - 1 - random() % 500]);
  }

  SequenceTracker tracker;
  std::set<std::uint64_t> seen;
  std::uint64_t highest = 0, duplicates = 0, out_of_order = 0;
  for (std::uint64_t n : stream) {
    Arrival arrival = tracker.record(n);
    if (seen.count(n) != 0) {
      ++duplicates;
      REQUIRE(arrival == Arrival::duplicate);
      continue;
    }
    bool late = !seen.empty() && n < highest;
    REQUIRE(arrival == (late ? Arrival::out_of_order : Arrival::in_order));
    if (late) ++out_of_order;
    seen.insert(n);
    highest = std::max(highest, n);
  }
  SequenceCounts counts = tracker.counts(200'000);
  CHECK(counts.received == seen.size());
  CHECK(counts.duplicates == duplicates);
  CHECK(counts.out_of_order == out_of_order);
  CHECK(counts.lost == 200'000 - seen.size());
  CHECK(duplicates > 0);
  CHECK(out_of_order > 0);
}

TEST_CASE("counts of different publishers add up") {
  SequenceCounts total;
  total += SequenceCounts{10, 1, 2, 3};
  total += SequenceCounts{5, 0, 1, 0};
  CHECK(total == SequenceCounts{15, 1, 3, 3});
}
