// LatencyHistogram: the bucket layout covers every uint64 without gaps, values below 128 us are
// exact, percentiles stay within the stated relative error of the exact nearest-rank sample
// for several distributions, and merging equals recording everything into one histogram.

#include "bench/histogram.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

using mqtk::bench::LatencyHistogram;

namespace {

// Exact nearest-rank percentile, p given in hundredths of a percent (9990 = 99.9).
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, std::uint64_t p_e2) {
  std::uint64_t n = sorted.size();
  std::uint64_t rank = std::max<std::uint64_t>(1, (p_e2 * n + 9999) / 10000);
  return sorted[rank - 1];
}

void check_error_bound(const std::vector<std::uint64_t>& samples) {
  LatencyHistogram histogram;
  for (std::uint64_t v : samples) histogram.record(v);
  std::vector<std::uint64_t> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  for (std::uint64_t p_e2 : {0ull, 100ull, 1000ull, 2500ull, 5000ull, 7500ull, 9000ull, 9500ull,
                             9900ull, 9990ull, 9999ull, 10000ull}) {
    double exact = static_cast<double>(exact_percentile(sorted, p_e2));
    double reported = histogram.percentile(static_cast<double>(p_e2) / 100.0);
    CAPTURE(p_e2);
    CAPTURE(exact);
    CAPTURE(reported);
    if (exact == 0) {
      CHECK(reported == 0);
    } else {
      CHECK(std::abs(reported - exact) / exact <= LatencyHistogram::kMaxRelativeError);
    }
  }
  CHECK(histogram.count() == samples.size());
  CHECK(histogram.min() == sorted.front());
  CHECK(histogram.max() == sorted.back());
  long double sum = 0;
  for (std::uint64_t v : samples) sum += static_cast<long double>(v);
  CHECK(histogram.mean() == doctest::Approx(static_cast<double>(sum / samples.size())));
}

}  // namespace

TEST_CASE("buckets tile the whole uint64 range and are at most 1/128 of their value wide") {
  for (std::uint32_t i = 0; i + 1 < LatencyHistogram::kBucketCount; ++i) {
    REQUIRE(LatencyHistogram::bucket_highest(i) + 1 == LatencyHistogram::bucket_lowest(i + 1));
    std::uint64_t width = LatencyHistogram::bucket_highest(i) - LatencyHistogram::bucket_lowest(i) + 1;
    if (i >= LatencyHistogram::kSubBuckets)
      REQUIRE(width * 128 <= LatencyHistogram::bucket_lowest(i));
    else
      REQUIRE(width == 1);
  }
  CHECK(LatencyHistogram::bucket_lowest(0) == 0);
  CHECK(LatencyHistogram::bucket_highest(LatencyHistogram::kBucketCount - 1) == UINT64_MAX);
  for (std::uint64_t v : std::initializer_list<std::uint64_t>{0, 1, 127, 128, 255, 256, 1000,
                                                              3'600'000'000, UINT64_MAX}) {
    std::uint32_t i = LatencyHistogram::bucket_index(v);
    CAPTURE(v);
    CHECK(LatencyHistogram::bucket_lowest(i) <= v);
    CHECK(v <= LatencyHistogram::bucket_highest(i));
  }
}

TEST_CASE("values below 128 us are exact") {
  LatencyHistogram histogram;
  for (std::uint64_t v = 0; v < 100; ++v) histogram.record(v + 1);
  CHECK(histogram.percentile(50) == 50);
  CHECK(histogram.percentile(90) == 90);
  CHECK(histogram.percentile(99) == 99);
  CHECK(histogram.percentile(100) == 100);
  CHECK(histogram.percentile(0) == 1);
  CHECK(histogram.mean() == doctest::Approx(50.5));
}

TEST_CASE("percentiles are within the stated relative error of the exact ones") {
  std::mt19937_64 random(20261126);
  const std::size_t n = 100'000;
  SUBCASE("uniform 1 us .. 1 s") {
    std::uniform_int_distribution<std::uint64_t> dist(1, 1'000'000);
    std::vector<std::uint64_t> samples(n);
    for (auto& v : samples) v = dist(random);
    check_error_bound(samples);
  }
  SUBCASE("log-uniform 1 us .. 1 hour") {
    std::uniform_real_distribution<double> exponent(0, std::log(3'600'000'000.0));
    std::vector<std::uint64_t> samples(n);
    for (auto& v : samples) v = static_cast<std::uint64_t>(std::exp(exponent(random)));
    check_error_bound(samples);
  }
  SUBCASE("exponential around 2 ms with a long tail") {
    std::exponential_distribution<double> dist(1.0 / 2000);
    std::vector<std::uint64_t> samples(n);
    for (auto& v : samples) v = static_cast<std::uint64_t>(dist(random));
    samples[17] = 45'000'000;  // one 45 s stall
    check_error_bound(samples);
  }
}

TEST_CASE("merging histograms equals recording every sample into one") {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> dist(7.0, 1.5);
  LatencyHistogram all;
  std::vector<LatencyHistogram> parts(4);
  for (int i = 0; i < 50'000; ++i) {
    auto v = static_cast<std::uint64_t>(dist(random));
    all.record(v);
    parts[random() % parts.size()].record(v);
  }
  LatencyHistogram merged;
  for (const auto& part : parts) merged.merge(part);
  CHECK(merged == all);
  for (double p : {50.0, 90.0, 99.0, 99.9, 100.0}) CHECK(merged.percentile(p) == all.percentile(p));
  CHECK(merged.mean() == all.mean());
}

TEST_CASE("an empty histogram reports zeros; record with a count; reset") {
  LatencyHistogram histogram;
  CHECK(histogram.empty());
  CHECK(histogram.percentile(99) == 0);
  CHECK(histogram.min() == 0);
  CHECK(histogram.max() == 0);
  CHECK(histogram.mean() == 0);

  LatencyHistogram repeated;
  repeated.record(5000, 3);
  for (int i = 0; i < 3; ++i) histogram.record(5000);
  CHECK(repeated == histogram);
  repeated.record(9, 0);
  CHECK(repeated == histogram);

  histogram.record(UINT64_MAX);
  CHECK(histogram.max() == UINT64_MAX);
  CHECK(histogram.percentile(100) == static_cast<double>(UINT64_MAX));
  histogram.reset();
  CHECK(histogram == LatencyHistogram());
}

TEST_CASE("from_buckets rebuilds the same histogram and refuses inconsistent input") {
  LatencyHistogram histogram;
  for (std::uint64_t v : {3ull, 700ull, 700ull, 90'000ull}) histogram.record(v);
  auto buckets = histogram.nonzero_buckets();
  CHECK(buckets.size() == 3);
  CHECK(LatencyHistogram::from_buckets(buckets, histogram.min(), histogram.max(), histogram.sum()) == histogram);
  CHECK_THROWS_AS(LatencyHistogram::from_buckets({{999'999, 1}}, 1, 1, 1), std::invalid_argument);
  CHECK_THROWS_AS(LatencyHistogram::from_buckets(buckets, 700, 90'000, 0), std::invalid_argument);
  CHECK_THROWS_AS(LatencyHistogram::from_buckets({}, 1, 0, 0), std::invalid_argument);
}
