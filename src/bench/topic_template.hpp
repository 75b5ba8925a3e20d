#pragma once
// emqtt-bench's topic templates: %i is the client's sequence number (-n + index), %c its client
// id, %rand_N a random number in [1, N] drawn for every message. A subscriber's filter is the
// template with every level that holds a placeholder replaced by '+'.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace mqtk::bench {

// %i and %c filled in; %rand_N left for expand_random().
std::string expand_client_topic(std::string_view pattern, std::uint64_t number,
                                std::string_view client_id);
bool has_random_part(std::string_view pattern) noexcept;
// Replaces each %rand_N of an already client-expanded topic by a fresh draw.
std::string expand_random(std::string_view topic, std::mt19937_64& random);
// "bench/%i/data" -> "bench/+/data".
std::string subscription_filter(std::string_view pattern);
// Throws UsageError for an unknown placeholder (e.g. "%x") or %rand_ without a number.
void validate_topic_template(std::string_view pattern, std::string_view flag);

}  // namespace mqtk::bench
