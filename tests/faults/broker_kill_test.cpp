// The broker dies (SIGKILL: nothing saved on the way out) and comes back on the same port, under
// `mqtk sub -c -q 1` and under `mqtk pub -l -q 1 --reconnect`. The broker saves its persistence
// db after every change, so sessions survive the crash as they would with a careful operator:
// what is asserted is that mqtk reconnects and that no QoS 1 message it accepted is lost.

#include "faults/fault_harness.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <string>

using namespace mqtk::test;
using namespace mqtk::test::faults;

namespace {

BrokerOptions crash_safe_broker() {
  return {.persistence = true, .extra_config = {"autosave_on_changes true"}};
}

std::vector<std::string> direct_args(const BrokerFixture& broker) {
  return sub::broker_args(broker);
}

// Waits until the broker has written its db `saves_before` + 1 times (a SIGKILL keeps the session).
void wait_for_save(const BrokerFixture& broker, std::size_t saves_before) {
  REQUIRE(sub::wait_for_log_count(broker, "Saving in-memory database", saves_before + 1, 10s));
}

}  // namespace

TEST_CASE("sub -c -q 1 loses no QoS 1 message across a broker kill -9 and restart") {
  BrokerFixture broker(crash_safe_broker());
  const std::string id = unique_id("kill-sub");
  ChildProcess mqtk(joined(joined({mqtk_binary_path(), "sub"}, direct_args(broker)),
                           joined({"-i", id, "-c", "-q", "1", "-t", "kill/#"}, quick_reconnect)));
  REQUIRE(sub::wait_for_log_count(broker, sub::suback_line(id), 1));
  sub::publish(broker, {"-t", "kill/n", "-q", "1", "-l"}, pub::numbered_lines(1, 20));
  Arrivals arrivals;
  arrivals.read_until_complete(mqtk, 20, 15s);
  REQUIRE(arrivals.complete(20));

  wait_for_save(broker, 0);
  broker.kill();
  broker.start();
  // Published at once: mqtk may not be back yet, its persisted session queues them.
  sub::publish(broker, {"-t", "kill/n", "-q", "1", "-l"}, pub::numbered_lines(21, 40));
  arrivals.read_until_complete(mqtk, 40, 20s);
  check_all_arrived(arrivals, 40);

  mqtk.signal(SIGTERM);
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(contains(mqtk.err(), "reconnected"));
}

TEST_CASE("pub -l -q 1 --reconnect delivers every line across a broker kill -9 and restart") {
  BrokerFixture broker(crash_safe_broker());
  const std::string receiver_id = unique_id("kill-recv");
  // A persistent receiver: what is published while it is reconnecting waits in its session.
  ChildProcess receiver =
      sub::start_peer(broker, receiver_id, {"-c", "-q", "1", "-t", "kill/n"});
  ChildProcess mqtk(joined(joined({mqtk_binary_path(), "pub"}, direct_args(broker)),
                           joined({"-i", unique_id("kill-pub"), "-t", "kill/n", "-q", "1", "-l",
                                   "--reconnect"},
                                  quick_reconnect)),
                    ChildOptions{.pipe_stdin = true});
  REQUIRE(mqtk.write_stdin(pub::numbered_lines(1, 20)));
  Arrivals arrivals;
  arrivals.read_until_complete(receiver, 20, 15s);
  REQUIRE(arrivals.complete(20));

  wait_for_save(broker, 0);
  broker.kill();
  // Accepted by mqtk while there is no broker at all: held until it is back.
  REQUIRE(mqtk.write_stdin(pub::numbered_lines(21, 40)));
  broker.start();
  REQUIRE(mqtk.write_stdin(pub::numbered_lines(41, 60)));
  mqtk.close_stdin();
  const ProcessResult result = mqtk.wait(30s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  arrivals.read_until_complete(receiver, 60, 20s);
  check_all_arrived(arrivals, 60);
  CHECK(contains(result.err, "reconnected"));
}
