#pragma once
// A latency histogram in the style of HdrHistogram: log-linear buckets over whole microseconds,
// so a run of millions of messages is summarised in a fixed ~60 KiB, percentiles come from the
// histogram rather than a sort of every sample, and two histograms merge exactly (same layout
// everywhere, so merging is adding bucket counts).
//
// Layout: values 0..127 us each have their own bucket (exact). Above that, every power-of-two
// range [2^e, 2^(e+1)) is split into 128 equal buckets, up to the full uint64 range (so 1 us
// to far beyond 1 hour). A bucket's width is at most 1/128 of its lower bound, and percentile()
// reports the bucket's midpoint, so a reported percentile is within 1/256 (< 0.4%) of the exact
// nearest-rank sample value (kMaxRelativeError). count, min, max and mean are exact.
//
// Threads: not synchronised. Give each worker thread its own histogram and let the aggregator
// merge() them (or a copy handed over under the worker's lock for the per-second status).
// Across processes or hosts, serialise with nonzero_buckets()/from_buckets() or histogram_json.

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace mqtk::bench {

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 7;
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;  // 128
  static constexpr std::size_t kBucketCount = kSubBuckets + (64 - kSubBucketBits) * kSubBuckets;
  static constexpr double kMaxRelativeError = 1.0 / 256;

  struct Bucket {
    std::uint32_t index = 0;
    std::uint64_t count = 0;
    bool operator==(const Bucket&) const = default;
  };

  // O(1): a bit_width, a shift and an add.
  void record(std::uint64_t us) noexcept { record(us, 1); }
  void record(std::uint64_t us, std::uint64_t times) noexcept;
  void merge(const LatencyHistogram& other) noexcept;
  void reset() noexcept;

  std::uint64_t count() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  // 0 when empty.
  std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept;
  std::uint64_t sum() const noexcept { return sum_; }
  // p in [0, 100] (clamped); nearest-rank, p=0 is min and p=100 is max; 0 when empty.
  double percentile(double p) const noexcept;

  // The non-empty buckets in index order, with exact min, max and sum beside them:
  // everything needed to rebuild an identical histogram elsewhere.
  std::vector<Bucket> nonzero_buckets() const;
  // Throws std::invalid_argument on a bucket index out of range or a count/min/max mismatch.
  static LatencyHistogram from_buckets(const std::vector<Bucket>& buckets, std::uint64_t min,
                                       std::uint64_t max, std::uint64_t sum);

  static std::uint32_t bucket_index(std::uint64_t us) noexcept;
  // Smallest and largest value that fall into bucket `index`.
  static std::uint64_t bucket_lowest(std::uint32_t index) noexcept;
  static std::uint64_t bucket_highest(std::uint32_t index) noexcept;

  bool operator==(const LatencyHistogram&) const = default;

 private:
  std::vector<std::uint64_t> counts_ = std::vector<std::uint64_t>(kBucketCount, 0);
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;  // wraps only past 5.8e5 years of summed latency
};

}  // namespace mqtk::bench
