#include "bench/sequence_tracker.hpp"

namespace mqtk::bench {

SequenceCounts& SequenceCounts::operator+=(const SequenceCounts& other) noexcept {
  received += other.received;
  duplicates += other.duplicates;
  out_of_order += other.out_of_order;
  lost += other.lost;
  return *this;
}

SequenceTracker SequenceTracker::start_at_first_seen() {
  SequenceTracker tracker;
  tracker.start_at_first_seen_ = true;
  return tracker;
}

// The ring holds the numbers (highest_ - kWindow, highest_]; number n lives in bit n % kWindow.
bool SequenceTracker::seen(std::uint64_t sequence) const noexcept {
  std::uint64_t slot = sequence % kWindow;
  return (window_[slot / 64] >> (slot % 64)) & 1u;
}

void SequenceTracker::mark(std::uint64_t sequence) noexcept {
  std::uint64_t slot = sequence % kWindow;
  window_[slot / 64] |= std::uint64_t{1} << (slot % 64);
}

void SequenceTracker::advance_to(std::uint64_t sequence) noexcept {
  // The slots of the numbers entering the window still hold those leaving it: clear them.
  if (sequence - highest_ >= kWindow) {
    window_.fill(0);
  } else {
    for (std::uint64_t n = highest_ + 1; n <= sequence; ++n) {
      std::uint64_t slot = n % kWindow;
      window_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
    }
  }
  highest_ = sequence;
}

SequenceTracker::Arrival SequenceTracker::record(std::uint64_t sequence) noexcept {
  if (!any_) {
    any_ = true;
    first_ = start_at_first_seen_ ? sequence : 0;
    highest_ = sequence;
    mark(sequence);
    ++received_;
    return Arrival::in_order;
  }
  if (sequence > highest_) {
    advance_to(sequence);
    mark(sequence);
    ++received_;
    return Arrival::in_order;
  }
  if (highest_ - sequence < kWindow) {
    if (seen(sequence)) {
      ++duplicates_;
      return Arrival::duplicate;
    }
    mark(sequence);
  }
  // Older than the window: counted as new (see the header).
  if (sequence < first_) first_ = sequence;
  ++received_;
  ++out_of_order_;
  return Arrival::out_of_order;
}

SequenceCounts SequenceTracker::counts(std::optional<std::uint64_t> published) const noexcept {
  SequenceCounts counts{received_, duplicates_, out_of_order_, 0};
  if (any_) {
    std::uint64_t expected = highest_ - first_ + 1;
    counts.lost = expected > received_ ? expected - received_ : 0;
    if (published && *published > highest_ + 1) counts.lost += *published - (highest_ + 1);
  } else if (published) {
    counts.lost = *published;
  }
  return counts;
}

}  // namespace mqtk::bench
