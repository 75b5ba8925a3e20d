// The JSON form of a histogram: sparse, exact round trip, and clear refusals of anything else.

#include "bench/histogram_json.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

using mqtk::bench::histogram_from_json;
using mqtk::bench::histogram_to_json;
using mqtk::bench::LatencyHistogram;
using Json = nlohmann::ordered_json;

namespace {

std::string histogram_refusal(const Json& json) {
  try {
    histogram_from_json(json);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("a histogram survives JSON exactly and only non-empty buckets are written") {
  LatencyHistogram histogram;
  for (std::uint64_t v = 1; v < 5'000'000; v = v * 3 + 1) histogram.record(v, v % 7 + 1);
  Json json = histogram_to_json(histogram);
  CHECK(json["unit"] == "us");
  CHECK(json["count"] == histogram.count());
  CHECK(json["buckets"].size() == histogram.nonzero_buckets().size());
  CHECK(histogram_from_json(Json::parse(json.dump())) == histogram);
  CHECK(histogram_from_json(histogram_to_json(LatencyHistogram())) == LatencyHistogram());
}

TEST_CASE("histogram JSON that does not fit is refused, naming the problem") {
  LatencyHistogram histogram;
  histogram.record(1500);
  Json good = histogram_to_json(histogram);

  Json other_layout = good;
  other_layout["sub_bucket_bits"] = 5;
  CHECK(histogram_refusal(other_layout).find("sub_bucket_bits 5") != std::string::npos);

  Json wrong_count = good;
  wrong_count["count"] = 2;
  CHECK(histogram_refusal(wrong_count).find("\"count\" 2 is not the sum of its buckets (1)") != std::string::npos);

  Json bad_pair = good;
  bad_pair["buckets"] = Json::parse("[[1, 2, 3]]");
  CHECK(histogram_refusal(bad_pair).find("is not a pair") != std::string::npos);

  Json no_buckets = good;
  no_buckets.erase("buckets");
  CHECK(histogram_refusal(no_buckets).find("\"buckets\" is missing") != std::string::npos);

  Json negative_min = good;
  negative_min["min"] = -1;
  CHECK(histogram_refusal(negative_min).find("\"min\"") != std::string::npos);

  CHECK(histogram_refusal(Json::array()).find("not a JSON object") != std::string::npos);
}
