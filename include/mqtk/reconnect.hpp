#pragma once
/// @file
/// The reconnect delay policy: exponential backoff from min_delay doubling up to max_delay, each
/// delay scaled by a random jitter factor so that many clients do not retry in lock step.
/// The loop that uses it lives in Client (reconnect, resubscribe, drain buffered publishes).
/// Public so that a user-written reconnect loop (examples/reconnect.cpp) spaces its attempts the
/// same way. Thread-safety: a Backoff is not synchronized; use one per loop.

#include <chrono>
#include <cstdint>
#include <random>

#include <mqtk/client_options.hpp>

namespace mqtk {

/// Delays for successive attempts: min_delay, 2x, 4x ... capped at max_delay, jittered.
class Backoff {
 public:
  explicit Backoff(const ReconnectOptions& options, std::uint64_t seed = std::random_device{}());

  /// The delay before the next attempt; grows with every call until reset().
  std::chrono::milliseconds next();
  void reset() noexcept { attempts_ = 0; }
  unsigned attempts() const noexcept { return attempts_; }

 private:
  std::chrono::milliseconds min_delay_;
  std::chrono::milliseconds max_delay_;
  double jitter_;
  unsigned attempts_ = 0;
  std::mt19937_64 random_;
};

}  // namespace mqtk
