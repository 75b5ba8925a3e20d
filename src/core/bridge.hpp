#pragma once
// Forwards messages between two brokers, at least once: each side is one Client that
// subscribes for its direction and publishes for the other. A received message stays in the
// bridge's memory until the destination acknowledged it (resent after either side reconnects),
// so nothing is lost while the process lives; paho acknowledges to the source on receipt, so a
// kill -9 of the bridge loses what it held. When --max-queued messages are held, the source
// connection is closed (its persistent session keeps queueing at the broker) and reopened once
// half of them are delivered: paho clients share one receive thread that must never block.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bridge_rule.hpp"
#include <mqtk/client.hpp>
#include <mqtk/client_options.hpp>

namespace mqtk {

enum class BridgeSide { from, to };

struct BridgeOptions {
  ClientOptions from;
  ClientOptions to;
  std::vector<BridgeRule> rules;
  std::size_t max_queued = 10000;  // per direction: received, not yet acknowledged by the destination
  // The user property (name, value) that marks what this bridge published; a message that
  // carries it is never forwarded again. Empty name: no marker (MQTT 3.1.1, or one-way).
  std::string origin_property;
  std::string origin_value;
};

// Counters since start; a consistent-enough snapshot for a status line.
struct BridgeStats {
  std::array<std::uint64_t, 2> forwarded{};  // by direction: acknowledged by the destination
  std::uint64_t in_flight = 0;    // received, not yet acknowledged by the destination
  std::uint64_t duplicates = 0;   // received with DUP set, or resent by the bridge
  std::uint64_t dropped = 0;      // refused by the destination, or QoS 0 cut off by a disconnect
  std::uint64_t expired = 0;      // message expiry passed while held
  std::uint64_t echoes = 0;       // came back with our own origin marker: not forwarded
  std::uint64_t pauses = 0;       // times a source was closed because the queue was full
  std::array<std::uint64_t, 2> reconnects{};  // by side
};

class Bridge {
 public:
  using EventHandler = std::function<void(BridgeSide, const ClientEvent&)>;
  Bridge(BridgeOptions options, EventHandler events);
  ~Bridge();
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  // Connects both sides (the destination first), subscribes, starts forwarding. Throws
  // ConnectError naming the side.
  void start();
  // Stops reading, forwards what was already received and waits for its acknowledgements, at
  // most `drain`; then disconnects. Returns how many received messages were not delivered.
  std::uint64_t shutdown(std::chrono::milliseconds drain);
  // Cancels a start() still connecting (from another thread, e.g. on SIGINT).
  void cancel_start();
  BridgeStats stats() const;
  // Set when a direction stopped for good (e.g. another client took over a side's client id).
  std::optional<std::string> failure() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

std::string_view to_string(BridgeSide side) noexcept;

}  // namespace mqtk
