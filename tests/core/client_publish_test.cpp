// Client::publish with Write::batched (src/core/client_publish.cpp): packets wait in the output
// for flush() or a Write::now publish, then leave together, in order; a publish that has to wait
// for the in-flight window writes what is held first instead of waiting for acknowledgements of
// packets never sent.

#include "core/client_test_helpers.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <future>
#include <string>
#include <vector>

using namespace mqtk;
using namespace mqtk::test;

namespace {

bool on_paho() {
  const char* engine = std::getenv("MQTK_ENGINE");
  return engine && std::string(engine) == "paho";
}

}  // namespace

TEST_CASE("batched publishes leave on flush(), all of them, in order") {
  BrokerFixture broker;
  Client receiver(options_for(broker, "batch-receiver"));
  receiver.connect();
  subscribe(receiver, "batch/#", 1);

  Client sender(options_for(broker, "batch-sender"));
  sender.connect();
  // The engine's network thread writes whatever is in the output when it wakes (here: right
  // after the connect). One acknowledged round trip first: its acknowledgement is reported
  // after the thread's last write, and nothing wakes it again until the flush below.
  get_within(sender.publish(make_message("warm/up", "w", 1)));
  std::vector<std::future<PublishResult>> acks;
  for (int i = 0; i < 50; ++i)
    acks.push_back(sender.publish(make_message("batch/" + std::to_string(i % 3), std::to_string(i), 1),
                                  Write::batched));
  if (!on_paho()) {
    // Held in the output: nothing was written, so nothing can have been acknowledged. (paho
    // writes on its own thread and ignores Write::batched.)
    CHECK(acks.back().wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
    CHECK_FALSE(receiver.messages().try_pop().has_value());
  }
  sender.flush();
  for (auto& ack : acks) get_within(ack);
  std::vector<std::string> expected;
  for (int i = 0; i < 50; ++i) expected.push_back(std::to_string(i));
  CHECK(next_payloads(receiver, 50) == expected);
}

TEST_CASE("a batched publish that must wait for the window writes the held ones first") {
  BrokerFixture broker;
  ClientOptions options = options_for(broker, "batch-window");
  options.max_inflight = 2;
  Client sender(options);
  sender.connect();
  std::vector<std::future<PublishResult>> acks;
  // Never flushed: without the write before waiting, the third publish would wait forever for
  // acknowledgements of the first two, which are still in the output.
  for (int i = 0; i < 6; ++i)
    acks.push_back(sender.publish(make_message("window/x", std::to_string(i), 1), Write::batched));
  get_within(sender.publish(make_message("window/x", "last", 1)));
  for (auto& ack : acks) get_within(ack);
  CHECK(sender.publishes_in_flight() == 0);
}
