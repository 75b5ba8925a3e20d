#pragma once
// The bench payload: a fixed 32-byte binary header at the start of every message, the rest
// filler up to -s. Receivers use it to count loss, duplicates and reordering per publisher and
// to measure end-to-end latency from the INTENDED send time (open-loop pacing: a client that
// stalls cannot hide the delay, no coordinated omission).
//
// Layout (little-endian):
//   0  4  magic "mqtb"
//   4  1  version (1)
//   5  3  reserved, zero
//   8  8  publisher id: the publishing client's sequence number (-n + i), unique per run
//  16  8  sequence: per publisher, starting at 0, +1 per message
//  24  8  intended send time, CLOCK_REALTIME nanoseconds since the Unix epoch
// Realtime, not steady: the receiver may be another process or host. Across hosts the latency
// is only as good as the clocks' synchronisation (NTP/PTP); a negative difference (receiver's
// clock behind) is recorded as 0 us and counted by the caller as clock skew.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace mqtk::bench {

inline constexpr std::size_t kPayloadHeaderSize = 32;
inline constexpr std::uint8_t kPayloadVersion = 1;

struct PayloadHeader {
  std::uint64_t publisher_id = 0;
  std::uint64_t sequence = 0;
  std::int64_t intended_send_ns = 0;
  bool operator==(const PayloadHeader&) const = default;
};

// Writes the header into the first kPayloadHeaderSize bytes of `buffer` without allocating and
// leaves the rest (the filler) untouched, so a client can reuse one buffer for every message.
// Returns false, writing nothing, when the buffer is shorter than the header.
bool encode_into(std::span<char> buffer, const PayloadHeader& header) noexcept;

// nullopt for a payload that is too short, has another magic or another version.
std::optional<PayloadHeader> decode(std::string_view payload) noexcept;

// CLOCK_REALTIME now, in nanoseconds since the epoch.
std::int64_t realtime_ns() noexcept;

// received_ns - intended_send_ns in whole microseconds, 0 when negative (clock skew).
std::uint64_t latency_us(const PayloadHeader& header, std::int64_t received_ns) noexcept;

}  // namespace mqtk::bench
