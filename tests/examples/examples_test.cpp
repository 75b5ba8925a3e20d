// Every program in examples/ run against a private mosquitto, checking what it printed: the
// messages that actually arrived, in the order the example promises.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/broker_fixture.hpp"
#include "support/free_port.hpp"
#include "support/process.hpp"
#include "support/proxy_fixture.hpp"

using namespace mqtk::test;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

bool has_line_starting(const std::vector<std::string>& lines, const std::string& prefix) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& line) { return line.rfind(prefix, 0) == 0; });
}

// Runs examples/<name> with `args` and returns its stdout lines; the example must exit 0 (a
// failure is reported and the remaining examples still run).
std::vector<std::string> run_example(const std::string& name, std::vector<std::string> args) {
  args.insert(args.begin(), (std::filesystem::path(MQTK_EXAMPLES_DIR) / name).string());
  const ProcessResult result = run_process(args, {}, std::chrono::seconds{20});
  CHECK_MESSAGE(result.ok(), name << ": " << describe(result));
  return lines_of(result.out);
}

std::vector<std::string> broker_args(const BrokerFixture& broker) {
  return {broker.host(), std::to_string(broker.port())};
}

}  // namespace

// One broker for all of them (a SUBCASE would start one per example): each uses its own topics.
TEST_CASE("examples against a plain broker") {
  BrokerFixture broker;

  {
    INFO("subscribe: the three readings, in order");
    CHECK(run_example("subscribe", broker_args(broker)) ==
          std::vector<std::string>{"example/subscribe/sensor1: reading 1",
                                   "example/subscribe/sensor2: reading 2",
                                   "example/subscribe/sensor3: reading 3"});
  }
  {
    INFO("publish: every QoS acknowledged, the retained message read back");
    CHECK(run_example("publish", broker_args(broker)) ==
          std::vector<std::string>{
              "published at QoS 0", "published at QoS 1", "published at QoS 2",
              "published retained status",
              "read back example/publish/status = online (retain 1, content type text/plain)"});
  }
  {
    INFO("filtered: a message matching two filters lands in both queues");
    CHECK(run_example("filtered", broker_args(broker)) ==
          std::vector<std::string>{
              "temperatures: example/filtered/kitchen/temperature",
              "temperatures: example/filtered/bedroom/temperature",
              "kitchen: example/filtered/kitchen/temperature",
              "kitchen: example/filtered/kitchen/humidity",
              "unmatched: example/filtered/garage/door",
              "kitchen/# matches example/filtered/kitchen/temperature: true"});
  }
  {
    INFO("queues: each order and each overflow policy");
    CHECK(run_example("queues", broker_args(broker)) ==
          std::vector<std::string>{"fifo: t1 h1 t2 h2 (dropped 0)",
                                   "lifo: h2 t2 h1 t1 (dropped 0)",
                                   "priority: h1 h2 t1 t2 (dropped 0)",
                                   "max 2, drop-oldest: t2 h2 (dropped 2)",
                                   "max 2, drop-newest: t1 h1 (dropped 2)",
                                   "max 2, block: t1 h1 t2 h2 (dropped 0)"});
  }
  {
    INFO("worker_pool: every job handled, handlers overlapping");
    CHECK(run_example("worker_pool", broker_args(broker)) ==
          std::vector<std::string>{"handled 12 of 12 jobs on 4 workers",
                                   "several handlers ran at once: true"});
  }
  {
    INFO("distributor: per-filter order kept");
    CHECK(run_example("distributor", broker_args(broker)) ==
          std::vector<std::string>{"temperature: t1 t2 t3 t4", "humidity: h1 h2 h3 h4"});
  }
  {
    INFO("background_listener: hears everything, then stops on request");
    const auto lines = run_example("background_listener", broker_args(broker));
    for (int i = 1; i <= 5; ++i)
      CHECK(has_line(lines, "listener: example/background/" + std::to_string(i)));
    CHECK(has_line(lines, "main: published 5 messages"));
    // The listener returned by itself before main joined it and reported.
    REQUIRE_MESSAGE(lines.size() == 8, "the remaining examples are not run");
    CHECK(lines[6] == "listener: queue closed, returning");
    CHECK(lines[7] == "main: listener stopped after 5 messages");
  }
  {
    INFO("timeout: what arrived before the deadline, then it stops");
    CHECK(run_example("timeout", broker_args(broker)) ==
          std::vector<std::string>{"got example/timeout/early", "got example/timeout/late",
                                   "stopped listening after 1 s with 2 messages"});
  }
  {
    INFO("shared_connection: every publisher's messages arrived");
    CHECK(run_example("shared_connection", broker_args(broker)) ==
          std::vector<std::string>{"one connection carried 30 publishes",
                                   "example/shared/publisher-1: 10",
                                   "example/shared/publisher-2: 10",
                                   "example/shared/publisher-3: 10"});
  }
  {
    INFO("reconnect: errors and events, never a hang");
    auto args = broker_args(broker);
    args.push_back(std::to_string(free_port()));
    const auto lines = run_example("reconnect", args);
    CHECK(has_line_starting(lines, "1. connect failed, category connect: "));
    CHECK(has_line(lines, "2. attempt 1: failed, retrying"));
    CHECK(has_line(lines, "2. attempt 2: failed, retrying"));
    CHECK(has_line(lines, "2. attempt 3: connected"));
    CHECK(has_line(lines, "3. event: connection_lost"));
    CHECK(has_line(lines, "3. event: connected again"));
    CHECK(has_line(lines, "3. publishing works after the reconnect"));
    CHECK(has_line_starting(lines, "4. stop() ended the retrying connect: "));
    CHECK(lines.size() == 8);
  }
}

TEST_CASE("tls_and_proxy: verified TLS, refused without the CA, and through SOCKS5") {
  BrokerFixture broker({.tls = true});
  std::vector<std::string> args = {broker.host(), std::to_string(broker.tls_port()),
                                   broker.ca_file().string()};
  std::optional<DanteProxy> dante;
  if (const auto why = dante_unavailable()) {
    MESSAGE("proxy part skipped: " << *why);
  } else {
    dante.emplace();
    args.push_back(dante->url());
  }
  const auto lines = run_example("tls_and_proxy", args);
  CHECK(has_line(lines, "TLS, verified against the CA file: sealed"));
  CHECK(has_line_starting(lines, "TLS without the CA is refused: "));
  if (dante) CHECK(has_line(lines, "TLS through the proxy: sealed"));
}
