#pragma once
// Open-loop pacing: message j of a worker (j = 0, 1, 2, ...) is due at start + j / rate,
// whatever happened to the messages before it, and goes to publisher j % publishers. A client
// that stalls (full window, reconnecting, slow socket) falls behind its schedule instead of
// pushing it back, and its messages carry their intended send time, so the latency it causes
// is measured (no coordinated omission). Rate 0 means unpaced: every message is due at once.

#include <chrono>
#include <cstdint>
#include <limits>

namespace mqtk::bench {

class OpenLoopSchedule {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

  OpenLoopSchedule() = default;
  // `total` caps the messages of the whole schedule (kUnlimited for none).
  OpenLoopSchedule(Clock::time_point start, double rate_per_s, std::uint64_t publishers,
                   std::uint64_t total);

  bool paced() const noexcept { return rate_ > 0; }
  // Messages due by `now` in the whole schedule (capped at total).
  std::uint64_t due_by(Clock::time_point now) const noexcept;
  // Of the first `due` messages, how many belong to publisher `index`.
  std::uint64_t due_for(std::uint64_t index, std::uint64_t due) const noexcept;
  // The whole schedule's share of publisher `index` (its message limit).
  std::uint64_t quota_for(std::uint64_t index) const noexcept { return due_for(index, total_); }
  // When the k-th message of publisher `index` is due.
  Clock::time_point intended_time(std::uint64_t index, std::uint64_t k) const noexcept;
  // When message `due` (the next one after `due` messages) is due; nullopt-like max when none.
  Clock::time_point next_due_time(std::uint64_t due) const noexcept;
  std::uint64_t total() const noexcept { return total_; }

 private:
  Clock::time_point start_{};
  double rate_ = 0;
  std::uint64_t publishers_ = 1;
  std::uint64_t total_ = kUnlimited;
};

}  // namespace mqtk::bench
