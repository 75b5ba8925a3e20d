#pragma once
// A private aedes (npm, MQTT 3.1.1 only) for integration tests: a second, independent broker, so
// mqtk depends on no mosquitto quirk. Runs tests/support/aedes/broker.mjs with node on a
// loopback port; scripts/test installs the pinned aedes there (npm ci) when node and npm exist.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "support/process.hpp"

namespace mqtk::test {

class AedesFixture {
 public:
  // Why aedes cannot run here (node not on PATH, aedes not installed), or nullopt when it can.
  // Tests skip, never fail, when this says why.
  static std::optional<std::string> unavailable_reason();

  // Starts the broker; throws std::runtime_error with its log when it does not come up.
  AedesFixture();
  ~AedesFixture();
  AedesFixture(const AedesFixture&) = delete;
  AedesFixture& operator=(const AedesFixture&) = delete;
  AedesFixture(AedesFixture&&) = delete;
  AedesFixture& operator=(AedesFixture&&) = delete;

  std::string host() const { return "127.0.0.1"; }
  std::uint16_t port() const noexcept { return port_; }

  // The broker's event log, one line each: "connected ID", "subscribed ID FILTER QOS",
  // "disconnected ID" (see broker.mjs).
  std::string log() const;
  // Polls the log until `needle` occurs at least `times` times.
  bool wait_for_log(std::string_view needle, std::size_t times = 1,
                    std::chrono::milliseconds timeout = std::chrono::seconds{10}) const;

  // SIGTERM and wait (aedes keeps nothing: sessions and retained messages are in memory).
  void stop();
  // Starts again on the same port (the first start lets the kernel pick a free one).
  void start();
  bool running();

 private:
  TempDir dir_{"mqtk-aedes"};
  std::uint16_t port_ = 0;
  ChildProcess broker_;
};

}  // namespace mqtk::test
