#pragma once
// Shared by the `mqtk pub` and `mqtk rr` integration tests (tests/cli/pub_*_test.cpp,
// rr_test.cpp): run the built binary against a BrokerFixture and check what an independent
// subscriber (Debian's mosquitto_sub, started through sub_harness.hpp) actually received.

#include "cli/sub_harness.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mqtk::test::pub {

using namespace std::chrono_literals;
using sub::broker_args;
using sub::joined;
using sub::lines_of;
using sub::unique_id;

// argv of `mqtk VERB -h HOST -p PORT ARGS...`.
inline std::vector<std::string> mqtk_argv(const BrokerFixture& broker, const std::string& verb,
                                          const std::vector<std::string>& args) {
  return joined(joined({mqtk_binary_path(), verb}, broker_args(broker)), args);
}

// `mqtk pub -h HOST -p PORT ARGS...` to completion.
inline ProcessResult run_pub(const BrokerFixture& broker, const std::vector<std::string>& args,
                             std::string_view stdin_data = {},
                             std::chrono::milliseconds timeout = 30s) {
  return run_mqtk(joined(joined({"pub"}, broker_args(broker)), args), stdin_data, timeout);
}

// A mosquitto_sub that is subscribed (SUBACK logged) when this returns. `args` normally end in
// -C N so that wait() returns once everything expected has arrived.
inline ChildProcess start_receiver(const BrokerFixture& broker,
                                   const std::vector<std::string>& args) {
  return sub::start_peer(broker, unique_id("recv"), args);
}

// Waits for a receiver started with -C N; fails the test when it did not get N messages.
inline std::string received(ChildProcess& receiver, std::chrono::milliseconds timeout = 20s) {
  const ProcessResult result = receiver.wait(timeout);
  INFO("receiver: " << describe(result));
  CHECK_MESSAGE(result.exit_code == 0, "the receiver did not get every expected message");
  return result.out;
}

// Waits for `child` to exit on its own with its stdin still open (ChildProcess::wait() closes
// it first, and an EOF would race with a signal just sent), then collects its output.
inline ProcessResult wait_with_stdin_open(ChildProcess& child,
                                          std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (child.running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  return child.wait(1s);
}

inline std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

// "1\n2\n...N\n".
inline std::string numbered_lines(int first, int last) {
  std::string out;
  for (int i = first; i <= last; ++i) out += std::to_string(i) + "\n";
  return out;
}

}  // namespace mqtk::test::pub
