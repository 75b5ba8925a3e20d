#include "bench/histogram_json.hpp"

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace mqtk::bench {
namespace {

// Parsed text gives unsigned numbers; JSON built in memory may hold signed ones.
bool is_whole(const nlohmann::ordered_json& value) {
  return value.is_number_integer() && (value.is_number_unsigned() || value.get<std::int64_t>() >= 0);
}

}  // namespace

nlohmann::ordered_json histogram_to_json(const LatencyHistogram& histogram) {
  nlohmann::ordered_json j;
  j["unit"] = "us";
  j["sub_bucket_bits"] = LatencyHistogram::kSubBucketBits;
  j["count"] = histogram.count();
  j["min"] = histogram.min();
  j["max"] = histogram.max();
  j["sum"] = histogram.sum();
  nlohmann::ordered_json buckets = nlohmann::ordered_json::array();
  for (const auto& bucket : histogram.nonzero_buckets())
    buckets.push_back(nlohmann::ordered_json::array({bucket.index, bucket.count}));
  j["buckets"] = std::move(buckets);
  return j;
}

LatencyHistogram histogram_from_json(const nlohmann::ordered_json& json) {
  if (!json.is_object()) throw std::invalid_argument("histogram is not a JSON object");
  if (json.value("unit", "") != "us")
    throw std::invalid_argument("histogram unit is not \"us\"");
  if (json.value("sub_bucket_bits", 0u) != LatencyHistogram::kSubBucketBits)
    throw std::invalid_argument("histogram has another bucket layout (sub_bucket_bits " +
                                json.value("sub_bucket_bits", nlohmann::ordered_json()).dump() +
                                ", expected " +
                                std::to_string(LatencyHistogram::kSubBucketBits) + ")");
  auto number = [&](const char* key) {
    const auto it = json.find(key);
    if (it == json.end() || !is_whole(*it))
      throw std::invalid_argument(std::string("histogram \"") + key +
                                  "\" is missing or not a whole number");
    return it->get<std::uint64_t>();
  };
  const auto buckets_it = json.find("buckets");
  if (buckets_it == json.end() || !buckets_it->is_array())
    throw std::invalid_argument("histogram \"buckets\" is missing or not an array");
  std::vector<LatencyHistogram::Bucket> buckets;
  buckets.reserve(buckets_it->size());
  for (const auto& pair : *buckets_it) {
    if (!pair.is_array() || pair.size() != 2 || !is_whole(pair[0]) ||
        !is_whole(pair[1]))
      throw std::invalid_argument("histogram bucket " + pair.dump() +
                                  " is not a pair [index, count]");
    auto index = pair[0].get<std::uint64_t>();
    if (index >= LatencyHistogram::kBucketCount)
      throw std::invalid_argument("histogram bucket index " + std::to_string(index) +
                                  " is out of range");
    buckets.push_back({static_cast<std::uint32_t>(index), pair[1].get<std::uint64_t>()});
  }
  LatencyHistogram histogram =
      LatencyHistogram::from_buckets(buckets, number("min"), number("max"), number("sum"));
  if (histogram.count() != number("count"))
    throw std::invalid_argument("histogram \"count\" " + std::to_string(number("count")) +
                                " is not the sum of its buckets (" +
                                std::to_string(histogram.count()) + ")");
  return histogram;
}

}  // namespace mqtk::bench
