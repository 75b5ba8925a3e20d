#include <mqtk/reconnect.hpp>

#include <algorithm>
#include <cmath>

namespace mqtk {

Backoff::Backoff(const ReconnectOptions& options, std::uint64_t seed)
    : min_delay_(std::max(options.min_delay, std::chrono::milliseconds(1))),
      max_delay_(std::max(options.max_delay, min_delay_)),
      jitter_(std::clamp(options.jitter, 0.0, 1.0)),
      random_(seed) {}

std::chrono::milliseconds Backoff::next() {
  const double exponent = std::min<unsigned>(attempts_, 30);
  const double base = std::min(static_cast<double>(min_delay_.count()) * std::pow(2.0, exponent),
                               static_cast<double>(max_delay_.count()));
  ++attempts_;
  std::uniform_real_distribution<double> factor(1.0 - jitter_, 1.0 + jitter_);
  const double jittered = std::min(base * factor(random_), static_cast<double>(max_delay_.count()));
  return std::chrono::milliseconds(static_cast<long long>(std::max(1.0, jittered)));
}

}  // namespace mqtk
