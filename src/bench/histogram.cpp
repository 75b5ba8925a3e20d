// Written here rather than taken from HdrHistogram_c: Debian 12 does not package it, and the
// part we need (record, merge, percentile, exact serialisation) is this one file.
#include "bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace mqtk::bench {
namespace {

// Nearest rank (1-based) of percentile p among n samples. The tolerance keeps 99.9 * 1000
// (99900.00000000001 in binary) from rounding up to the next rank.
std::uint64_t nearest_rank(double p, std::uint64_t n) {
  double exact = p / 100.0 * static_cast<double>(n);
  auto rank = static_cast<std::uint64_t>(std::ceil(exact - 1e-9 * std::max(1.0, exact)));
  return std::clamp<std::uint64_t>(rank, 1, n);
}

}  // namespace

std::uint32_t LatencyHistogram::bucket_index(std::uint64_t us) noexcept {
  if (us < kSubBuckets) return static_cast<std::uint32_t>(us);
  auto shift = static_cast<unsigned>(std::bit_width(us)) - 1 - kSubBucketBits;
  std::uint64_t mantissa = us >> shift;  // in [128, 256)
  return static_cast<std::uint32_t>(shift * kSubBuckets + mantissa);
}

std::uint64_t LatencyHistogram::bucket_lowest(std::uint32_t index) noexcept {
  if (index < kSubBuckets) return index;
  std::uint64_t shift = index / kSubBuckets - 1;
  std::uint64_t mantissa = index % kSubBuckets + kSubBuckets;
  return mantissa << shift;
}

std::uint64_t LatencyHistogram::bucket_highest(std::uint32_t index) noexcept {
  std::uint64_t shift = index < kSubBuckets ? 0 : index / kSubBuckets - 1;
  return bucket_lowest(index) + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t us, std::uint64_t times) noexcept {
  if (times == 0) return;
  counts_[bucket_index(us)] += times;
  count_ += times;
  min_ = std::min(min_, us);
  max_ = std::max(max_, us);
  sum_ += us * times;
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void LatencyHistogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

double LatencyHistogram::mean() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

double LatencyHistogram::percentile(double p) const noexcept {
  if (count_ == 0) return 0.0;
  if (std::isnan(p)) p = 0;
  p = std::clamp(p, 0.0, 100.0);
  std::uint64_t rank = nearest_rank(p, count_);
  if (rank == 1 && p == 0.0) return static_cast<double>(min_);
  if (rank == count_) return static_cast<double>(max_);
  std::uint64_t seen = 0;
  for (std::uint32_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The midpoint halves the worst-case error of reporting either edge of the bucket.
      double lowest = static_cast<double>(bucket_lowest(i));
      double midpoint = lowest + static_cast<double>(bucket_highest(i) - bucket_lowest(i)) / 2;
      return std::clamp(midpoint, static_cast<double>(min_), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

std::vector<LatencyHistogram::Bucket> LatencyHistogram::nonzero_buckets() const {
  std::vector<Bucket> buckets;
  for (std::uint32_t i = 0; i < kBucketCount; ++i)
    if (counts_[i] != 0) buckets.push_back({i, counts_[i]});
  return buckets;
}

LatencyHistogram LatencyHistogram::from_buckets(const std::vector<Bucket>& buckets,
                                                std::uint64_t min, std::uint64_t max,
                                                std::uint64_t sum) {
  LatencyHistogram histogram;
  for (const Bucket& bucket : buckets) {
    if (bucket.index >= kBucketCount)
      throw std::invalid_argument("histogram bucket index " + std::to_string(bucket.index) +
                                  " is out of range (at most " +
                                  std::to_string(kBucketCount - 1) + ")");
    histogram.counts_[bucket.index] += bucket.count;
    histogram.count_ += bucket.count;
  }
  if (histogram.count_ == 0) {
    if (min != 0 || max != 0 || sum != 0)
      throw std::invalid_argument("empty histogram with a nonzero min, max or sum");
    return histogram;
  }
  auto first = std::find_if(histogram.counts_.begin(), histogram.counts_.end(),
                            [](std::uint64_t c) { return c != 0; });
  auto last = std::find_if(histogram.counts_.rbegin(), histogram.counts_.rend(),
                           [](std::uint64_t c) { return c != 0; });
  auto first_index = static_cast<std::uint32_t>(first - histogram.counts_.begin());
  auto last_index = static_cast<std::uint32_t>(histogram.counts_.rend() - last - 1);
  if (min > max || bucket_index(min) != first_index || bucket_index(max) != last_index)
    throw std::invalid_argument("histogram min " + std::to_string(min) + " or max " +
                                std::to_string(max) + " does not fall in its lowest or highest bucket");
  histogram.min_ = min;
  histogram.max_ = max;
  histogram.sum_ = sum;
  return histogram;
}

}  // namespace mqtk::bench
