#pragma once
// A LatencyHistogram as JSON, sparse and exact, so reports written on different hosts merge
// into the same histogram one process would have recorded:
//   {"unit":"us","sub_bucket_bits":7,"count":N,"min":..,"max":..,"sum":..,
//    "buckets":[[index,count],...]}

#include <nlohmann/json_fwd.hpp>

#include "bench/histogram.hpp"

namespace mqtk::bench {

nlohmann::ordered_json histogram_to_json(const LatencyHistogram& histogram);
// Throws std::invalid_argument naming what is wrong (other layout, bad bucket, count mismatch).
LatencyHistogram histogram_from_json(const nlohmann::ordered_json& json);

}  // namespace mqtk::bench
