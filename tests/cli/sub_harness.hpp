#pragma once
// Shared by the `mqtk sub` integration tests (tests/cli/sub_*_test.cpp): start the built binary
// against a BrokerFixture, know when its subscriptions are in place (the broker's log), and
// publish with Debian's mosquitto_pub as the independent client.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/broker_fixture.hpp"
#include "support/process.hpp"
#include "support/text.hpp"

namespace mqtk::test::sub {

using namespace std::chrono_literals;

// A client id unique within this test process: "<prefix>-<n>".
inline std::string unique_id(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + "-" + std::to_string(++counter);
}

inline std::size_t count_of(const std::string& text, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

// Polls the broker log until `needle` occurs at least `times` times.
inline bool wait_for_log_count(const BrokerFixture& broker, std::string_view needle,
                               std::size_t times,
                               std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (count_of(broker.log(), needle) >= times) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

// "Sending SUBACK to ID\n": the line ends at the id, so "s-1" does not match "s-12".
inline std::string suback_line(const std::string& id) { return "Sending SUBACK to " + id + "\n"; }

inline std::vector<std::string> broker_args(const BrokerFixture& broker) {
  return {"-h", broker.host(), "-p", std::to_string(broker.port())};
}

// The files a running process has mapped (/proc/PID/maps): which shared objects it loaded.
inline std::string mapped_files(pid_t pid) { return read_file("/proc/" + std::to_string(pid) + "/maps"); }

inline std::vector<std::string> joined(std::vector<std::string> a,
                                       const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// argv of `mqtk sub -h HOST -p PORT -i ID ARGS...`.
inline std::vector<std::string> sub_argv(const BrokerFixture& broker, const std::string& id,
                                         const std::vector<std::string>& args) {
  std::vector<std::string> argv{mqtk_binary_path(), "sub"};
  argv = joined(argv, broker_args(broker));
  argv = joined(argv, {"-i", id});
  return joined(argv, args);
}

// start_sub() for a whole command line `argv` (another port, `env ... mqtk sub`), whose client
// id is `id`.
inline ChildProcess start_sub_argv(const BrokerFixture& broker, const std::string& id,
                                   const std::vector<std::string>& argv, std::size_t subacks = 1) {
  const std::size_t before = count_of(broker.log(), suback_line(id));
  ChildProcess child(argv);
  const bool subscribed = wait_for_log_count(broker, suback_line(id), before + subacks);
  if (!subscribed) {
    const ProcessResult early = child.wait(1s);
    FAIL("mqtk sub did not subscribe: " << describe(early) << "\n--- broker log ---\n"
                                        << broker.log());
  }
  return child;
}

// Starts `mqtk sub` with client id `id` and waits until the broker has sent it `subacks` more
// SUBACKs (one per SUBSCRIBE packet), so what is published next reaches it. Earlier SUBACKs to
// the same id (a session set up with -E) do not count.
inline ChildProcess start_sub(const BrokerFixture& broker, const std::string& id,
                              const std::vector<std::string>& args, std::size_t subacks = 1) {
  return start_sub_argv(broker, id, sub_argv(broker, id, args), subacks);
}

// mosquitto_pub -h HOST -p PORT ARGS...; fails the test when it does not succeed.
inline void publish(const BrokerFixture& broker, const std::vector<std::string>& args,
                    std::string_view stdin_data = {}) {
  const ProcessResult result =
      run_process(joined(joined({"mosquitto_pub"}, broker_args(broker)), args), stdin_data, 20s);
  REQUIRE_MESSAGE(result.ok(), "mosquitto_pub failed: " << describe(result));
}

// Starts mosquitto_sub as a peer with its own id and waits for its SUBACK.
inline ChildProcess start_peer(const BrokerFixture& broker, const std::string& id,
                               const std::vector<std::string>& args) {
  const std::size_t before = count_of(broker.log(), suback_line(id));
  ChildProcess child(
      joined(joined({"mosquitto_sub"}, broker_args(broker)), joined({"-i", id}, args)));
  if (!wait_for_log_count(broker, suback_line(id), before + 1)) {
    const ProcessResult early = child.wait(1s);
    FAIL("mosquitto_sub did not subscribe: " << describe(early));
  }
  return child;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace mqtk::test::sub
