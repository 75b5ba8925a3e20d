#pragma once
// Shared by the fault scenarios (tests/faults/*_test.cpp): mqtk run through a FaultProxy in front
// of a BrokerFixture, numbered QoS 1 messages, and the checks on what arrived (every number at
// least once; how many first arrivals overtook an older number; duplicates are what QoS 1 allows).

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "cli/pub_harness.hpp"
#include "cli/sub_harness.hpp"
#include "support/broker_fixture.hpp"
#include "support/fault_proxy.hpp"
#include "support/process.hpp"

namespace mqtk::test::faults {

using namespace std::chrono_literals;
using sub::joined;
using sub::unique_id;

// Small backoff so each reconnect costs a fraction of a second, and a reconnect attempt that a
// fault caught mid-handshake is given up after 2 s instead of 10.
inline const std::vector<std::string> quick_reconnect{
    "--reconnect-min", "0.2", "--reconnect-max", "1", "--connect-timeout", "2"};

inline std::vector<std::string> proxy_args(const FaultProxy& proxy) {
  return {"-h", proxy.host(), "-p", std::to_string(proxy.port())};
}

// argv of `mqtk VERB -h PROXY -p PORT ARGS...`.
inline std::vector<std::string> mqtk_via(const FaultProxy& proxy, const std::string& verb,
                                         const std::vector<std::string>& args) {
  return joined(joined({mqtk_binary_path(), verb}, proxy_args(proxy)), args);
}

// Lines read from a child's stdout, as numbers where they are numbers.
struct Arrivals {
  std::vector<std::string> lines;

  // Reads lines until every one of 1..last has arrived or `timeout` passes.
  void read_until_complete(ChildProcess& child, int last, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!complete(last) && std::chrono::steady_clock::now() < deadline) {
      if (auto line = child.read_line(200ms)) lines.push_back(std::move(*line));
    }
  }

  std::set<int> distinct() const {
    std::set<int> seen;
    for (const std::string& line : lines) seen.insert(std::stoi(line));
    return seen;
  }

  bool complete(int last) const {
    const std::set<int> seen = distinct();
    return static_cast<int>(seen.size()) >= last && *seen.begin() == 1 && *seen.rbegin() == last;
  }

  // The first arrival of each number, in arrival order.
  std::vector<int> first_arrivals() const {
    std::set<int> seen;
    std::vector<int> order;
    for (const std::string& line : lines) {
      const int n = std::stoi(line);
      if (seen.insert(n).second) order.push_back(n);
    }
    return order;
  }
};

// Fails unless every one of 1..last arrived, and nothing else.
inline void check_all_arrived(const Arrivals& arrivals, int last) {
  MESSAGE(arrivals.lines.size() << " lines arrived for " << last << " messages");
  const std::set<int> seen = arrivals.distinct();
  std::vector<int> missing;
  for (int i = 1; i <= last; ++i)
    if (!seen.count(i)) missing.push_back(i);
  INFO("missing: " << doctest::toString(missing.size()) << " first: "
                   << (missing.empty() ? 0 : missing.front()));
  CHECK(missing.empty());
  CHECK(static_cast<int>(seen.size()) == last);  // nothing that was never published
}

// How many numbers first arrived after a larger one had (0 when stdin's order was kept).
inline std::size_t out_of_order_first_arrivals(const Arrivals& arrivals) {
  std::size_t early = 0;
  int highest = 0;
  for (const int n : arrivals.first_arrivals()) {
    if (n < highest) ++early;
    highest = std::max(highest, n);
  }
  return early;
}

}  // namespace mqtk::test::faults
