#pragma once
// Loss, duplicate and reorder accounting for ONE publisher's sequence numbers as one receiver
// sees them. Written by hand (no library does this) to stay O(1) per message and small for
// 10,000 publishers: a 4,096-bit ring (512 bytes) remembers which of the newest 4,096
// sequence numbers arrived.
//
// Definitions (per publisher, per receiver):
//   received      distinct sequence numbers that arrived
//   duplicates    arrivals of a number already seen (detectable within the window)
//   out_of_order  arrivals of a number lower than one already seen
//   lost          numbers in [first, highest] that have not arrived (yet); a late arrival
//                 fills its gap again. With `published` (how many the publisher sent, known
//                 in a self-contained `bench pub --subscribe` run) the missing tail counts too.
// `first` is 0 (publishers start at 0) unless the tracker was made with
// start_at_first_seen(), for a subscriber that joined a running publisher.
// An arrival more than 4,096 numbers behind the newest is counted as received and out of
// order and assumed not to be a duplicate (MQTT keeps one publisher's order per topic, so
// this only happens with a badly reordering broker or bridge).
//
// Not mergeable across receivers: when one publisher's messages are split over several
// receivers ($share groups) each sees gaps the others filled. Counts of different publishers
// simply add (SequenceCounts::operator+=); for shared subscriptions use totals instead
// (lost = acked - sum of received) and do not report per-receiver loss.

#include <array>
#include <cstdint>
#include <optional>

namespace mqtk::bench {

struct SequenceCounts {
  std::uint64_t received = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t lost = 0;
  SequenceCounts& operator+=(const SequenceCounts& other) noexcept;
  bool operator==(const SequenceCounts&) const = default;
};

class SequenceTracker {
 public:
  static constexpr std::uint64_t kWindow = 4096;

  SequenceTracker() = default;  // expects the publisher's first message to be number 0
  static SequenceTracker start_at_first_seen();

  enum class Arrival { in_order, out_of_order, duplicate };
  Arrival record(std::uint64_t sequence) noexcept;

  // Counts so far; `published` adds the never-seen tail (numbers above the highest arrived).
  SequenceCounts counts(std::optional<std::uint64_t> published = std::nullopt) const noexcept;

 private:
  bool seen(std::uint64_t sequence) const noexcept;
  void mark(std::uint64_t sequence) noexcept;
  void advance_to(std::uint64_t sequence) noexcept;

  std::array<std::uint64_t, kWindow / 64> window_{};
  bool start_at_first_seen_ = false;
  bool any_ = false;
  std::uint64_t first_ = 0;
  std::uint64_t highest_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t out_of_order_ = 0;
};

}  // namespace mqtk::bench
