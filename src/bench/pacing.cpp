#include "bench/pacing.hpp"

#include <algorithm>
#include <cmath>

namespace mqtk::bench {

OpenLoopSchedule::OpenLoopSchedule(Clock::time_point start, double rate_per_s,
                                   std::uint64_t publishers, std::uint64_t total)
    : start_(start), rate_(rate_per_s), publishers_(std::max<std::uint64_t>(publishers, 1)), total_(total) {}

std::uint64_t OpenLoopSchedule::due_by(Clock::time_point now) const noexcept {
  if (!paced()) return total_;
  if (now < start_) return 0;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double due = std::floor(seconds * rate_) + 1;
  if (due >= static_cast<double>(total_)) return total_;
  return static_cast<std::uint64_t>(due);
}

std::uint64_t OpenLoopSchedule::due_for(std::uint64_t index, std::uint64_t due) const noexcept {
  if (due == kUnlimited) return kUnlimited;
  if (due <= index) return 0;
  return (due - index - 1) / publishers_ + 1;
}

OpenLoopSchedule::Clock::time_point OpenLoopSchedule::intended_time(std::uint64_t index,
                                                                    std::uint64_t k) const noexcept {
  if (!paced()) return start_;
  const double j = static_cast<double>(index) + static_cast<double>(k) * static_cast<double>(publishers_);
  return start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(j / rate_));
}

OpenLoopSchedule::Clock::time_point OpenLoopSchedule::next_due_time(std::uint64_t due) const noexcept {
  if (!paced() || due >= total_) return Clock::time_point::max();
  return start_ + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(static_cast<double>(due) / rate_));
}

}  // namespace mqtk::bench
