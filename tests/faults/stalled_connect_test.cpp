// `mqtk rr` and `mqtk conn` against a stalled network (FaultProxy::stall: the TCP connection is
// accepted, CONNECT never answered): exit 3 within the connect timeout, never a hang.

#include "faults/fault_harness.hpp"

#include <doctest/doctest.h>

#include <future>
#include <string>
#include <vector>

using namespace mqtk::test;
using namespace mqtk::test::faults;

TEST_CASE("rr and conn give up on a stalled connect with exit 3 within --connect-timeout") {
  BrokerFixture broker;
  FaultProxy proxy(broker.host(), broker.port());
  proxy.stall(true);
  struct Case {
    std::string verb;
    std::vector<std::string> args;
  };
  const std::vector<Case> cases{
      {"conn", {}},
      {"rr", {"-t", "svc/req", "-e", "svc/reply", "-m", "ping"}},
      {"sub", {"-t", "s/#", "-C", "1"}},
      {"pub", {"-t", "p/a", "-m", "x", "-q", "1"}},
  };
  std::vector<std::future<ProcessResult>> runs;
  for (const Case& c : cases)
    runs.push_back(std::async(std::launch::async, [&proxy, &c] {
      return run_mqtk(
          joined(joined({c.verb}, proxy_args(proxy)), joined({"--connect-timeout", "1"}, c.args)),
          {}, 20s);
    }));
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(cases[i].verb);
    const ProcessResult result = runs[i].get();
    INFO(describe(result));
    CHECK_FALSE(result.timed_out);
    CHECK(result.exit_code == 3);
    CHECK(contains(result.err, "no CONNACK within"));
    CHECK(sub::lines_of(result.err).size() == 1);
  }
  CHECK(proxy.counters().accepted >= cases.size());
  CHECK(proxy.counters().bytes_to_broker == 0);  // nothing got through: it really was stalled
}
