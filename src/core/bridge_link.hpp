#pragma once
// Internal to the bridge: one side's broker connection, which the forwarder of the direction
// reading from it may close (queue full) and reopen (drained), while the other direction keeps
// publishing into it. A Client cannot connect again once disconnected, so reopening builds a new
// one with the same options: same client id, same persistent session.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <array>
#include <memory>
#include <mutex>
#include <vector>

#include "core/bridge.hpp"

namespace mqtk::detail {

struct BridgeCounters {
  std::array<std::atomic<std::uint64_t>, 2> forwarded{};
  std::array<std::atomic<std::uint64_t>, 2> in_flight{};
  std::atomic<std::uint64_t> duplicates{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> expired{0};
  std::atomic<std::uint64_t> echoes{0};
  std::atomic<std::uint64_t> pauses{0};
  std::array<std::atomic<std::uint64_t>, 2> reconnects{};
};

class BridgeLink {
 public:
  BridgeLink(BridgeSide side, ClientOptions options, std::vector<Subscription> subscriptions,
             Bridge::EventHandler events, BridgeCounters& counters);

  // Connects (retrying with backoff when `retry`) and subscribes unless the broker kept the
  // session. Throws ConnectError naming the side.
  void open(bool retry);
  // The open client; waits while the link is closed, until `deadline`. Null when stopped or
  // the deadline passed.
  std::shared_ptr<Client> current(std::chrono::steady_clock::time_point deadline);
  // Detaches and disconnects the client (waiting up to `grace` for its own publishes) and
  // returns it: what it received before is still in its (now closed) queue.
  std::shared_ptr<Client> close(std::chrono::milliseconds grace);
  // Waits (at most `timeout`) until the open client is no longer `old`.
  void wait_replaced(const std::shared_ptr<Client>& old, std::chrono::milliseconds timeout);
  bool stopped() const;
  // Wakes everything waiting on this link or its client; no reopening afterwards.
  void stop();
  bool reads() const noexcept { return !subscriptions_.empty(); }
  BridgeSide side() const noexcept { return side_; }

 private:
  BridgeSide side_;
  ClientOptions options_;
  std::vector<Subscription> subscriptions_;
  Bridge::EventHandler events_;
  BridgeCounters& counters_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::shared_ptr<Client> client_;   // null while closed
  std::shared_ptr<Client> opening_;  // being connected: stop() must reach it too
  bool stopped_ = false;
};

}  // namespace mqtk::detail
