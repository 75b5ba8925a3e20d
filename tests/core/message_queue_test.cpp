// MessageQueue: each order, each overflow policy with exact counts, close() and timeouts, and a
// multi-producer/multi-consumer run that checks nothing is lost, duplicated or reordered.

#include <mqtk/message_queue.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <mqtk/error.hpp>

namespace {

using namespace std::chrono_literals;
using mqtk::Message;
using mqtk::MessageQueue;
using mqtk::OverflowPolicy;
using mqtk::QueueOptions;
using mqtk::QueueOrder;

// Long enough for a thread to reach its wait on a loaded machine; only used to give a wait the
// chance to go wrong, never as the thing asserted.
constexpr auto settle_time = 50ms;
constexpr auto wake_deadline = 5s;

Message message(std::string topic, std::string payload) {
  Message m;
  m.topic = std::move(topic);
  m.payload = std::move(payload);
  return m;
}

Message message(std::string payload) { return message("t", std::move(payload)); }

std::vector<std::string> drain_payloads(MessageQueue& queue) {
  std::vector<std::string> payloads;
  while (auto m = queue.try_pop()) payloads.push_back(m->payload);
  return payloads;
}

QueueOptions bounded(QueueOrder order, std::size_t capacity, OverflowPolicy overflow) {
  QueueOptions options;
  options.order = order;
  options.capacity = capacity;
  options.overflow = overflow;
  return options;
}

}  // namespace

TEST_CASE("fifo serves in arrival order") {
  MessageQueue queue;
  for (const char* p : {"1", "2", "3", "4"}) CHECK(queue.push(message(p)));
  CHECK(queue.size() == 4);
  CHECK(drain_payloads(queue) == std::vector<std::string>{"1", "2", "3", "4"});
  CHECK(queue.size() == 0);
  CHECK(queue.dropped() == 0);
}

TEST_CASE("lifo serves the newest first") {
  MessageQueue queue(bounded(QueueOrder::lifo, 0, OverflowPolicy::block));
  for (const char* p : {"1", "2", "3"}) queue.push(message(p));
  CHECK(queue.pop()->payload == "3");
  queue.push(message("4"));
  CHECK(drain_payloads(queue) == std::vector<std::string>{"4", "2", "1"});
}

TEST_CASE("priority serves by the first matching filter, ties in arrival order") {
  QueueOptions options;
  options.order = QueueOrder::priority;
  options.priority_filters = {"alarm/#", "status/+", "#"};
  // "#" ranks everything else third but, by the $ rule, not $SYS topics: those stay unmatched.
  MessageQueue queue(options);
  queue.push(message("$SYS/uptime", "sys1"));
  queue.push(message("data/x", "data1"));
  queue.push(message("status/a", "status1"));
  queue.push(message("alarm/fire/kitchen", "alarm1"));
  queue.push(message("status/a/b", "data2"));  // "status/+" needs one level: falls to "#"
  queue.push(message("alarm", "alarm2"));      // "alarm/#" matches its parent
  queue.push(message("status/b", "status2"));
  queue.push(message("$SYS/load", "sys2"));
  CHECK(drain_payloads(queue) == std::vector<std::string>{"alarm1", "alarm2", "status1",
                                                          "status2", "data1", "data2", "sys1",
                                                          "sys2"});
}

TEST_CASE("priority without filters is fifo; filters are ignored by other orders") {
  MessageQueue plain(bounded(QueueOrder::priority, 0, OverflowPolicy::block));
  for (const char* p : {"1", "2", "3"}) plain.push(message(p));
  CHECK(drain_payloads(plain) == std::vector<std::string>{"1", "2", "3"});

  QueueOptions options;
  options.priority_filters = {"b"};  // order stays fifo
  MessageQueue fifo(options);
  fifo.push(message("a", "1"));
  fifo.push(message("b", "2"));
  CHECK(drain_payloads(fifo) == std::vector<std::string>{"1", "2"});
}

TEST_CASE("invalid priority filters are a usage error") {
  QueueOptions options;
  options.order = QueueOrder::priority;
  options.priority_filters = {"ok/#", "a/#/b"};
  CHECK_THROWS_WITH_AS(MessageQueue{options},
                       "invalid topic filter 'a/#/b': '#' must be the last level and occupy a "
                       "whole level",
                       mqtk::UsageError);
  options.order = QueueOrder::fifo;
  CHECK_THROWS_AS(MessageQueue{options}, mqtk::UsageError);
}

TEST_CASE("drop_newest refuses the new message and counts it") {
  for (QueueOrder order : {QueueOrder::fifo, QueueOrder::lifo, QueueOrder::priority}) {
    CAPTURE(to_string(order));
    MessageQueue queue(bounded(order, 3, OverflowPolicy::drop_newest));
    std::vector<bool> accepted;
    for (const char* p : {"1", "2", "3", "4", "5"}) accepted.push_back(queue.push(message(p)));
    CHECK(accepted == std::vector<bool>{true, true, true, false, false});
    CHECK(queue.dropped() == 2);
    CHECK(queue.size() == 3);
    std::vector<std::string> kept = drain_payloads(queue);
    std::sort(kept.begin(), kept.end());
    CHECK(kept == std::vector<std::string>{"1", "2", "3"});
  }
}

TEST_CASE("drop_oldest in fifo removes the front") {
  MessageQueue queue(bounded(QueueOrder::fifo, 3, OverflowPolicy::drop_oldest));
  for (const char* p : {"1", "2", "3", "4", "5"}) CHECK(queue.push(message(p)));
  CHECK(queue.dropped() == 2);
  CHECK(queue.size() == 3);
  CHECK(drain_payloads(queue) == std::vector<std::string>{"3", "4", "5"});
}

TEST_CASE("drop_oldest in lifo removes the bottom") {
  MessageQueue queue(bounded(QueueOrder::lifo, 3, OverflowPolicy::drop_oldest));
  for (const char* p : {"1", "2", "3", "4", "5"}) CHECK(queue.push(message(p)));
  CHECK(queue.dropped() == 2);
  CHECK(drain_payloads(queue) == std::vector<std::string>{"5", "4", "3"});
}

TEST_CASE("drop_oldest in priority removes the oldest of the lowest non-empty class") {
  QueueOptions options = bounded(QueueOrder::priority, 3, OverflowPolicy::drop_oldest);
  options.priority_filters = {"hi/#", "mid/#"};

  SUBCASE("unmatched messages go first") {
    MessageQueue queue(options);
    queue.push(message("hi/1", "hi1"));
    queue.push(message("other", "low1"));
    queue.push(message("other", "low2"));
    CHECK(queue.push(message("hi/2", "hi2")));  // full: low1 goes
    CHECK(queue.dropped() == 1);
    CHECK(drain_payloads(queue) == std::vector<std::string>{"hi1", "hi2", "low2"});
  }
  SUBCASE("then the lowest matched class") {
    MessageQueue queue(options);
    queue.push(message("mid/1", "mid1"));
    queue.push(message("hi/1", "hi1"));
    queue.push(message("mid/2", "mid2"));
    queue.push(message("other", "low1"));  // mid1 goes
    queue.push(message("hi/2", "hi2"));    // low1 goes
    CHECK(queue.dropped() == 2);
    CHECK(drain_payloads(queue) == std::vector<std::string>{"hi1", "hi2", "mid2"});
  }
  SUBCASE("a full top class loses its oldest") {
    MessageQueue queue(options);
    for (const char* p : {"hi/1", "hi/2", "hi/3", "hi/4"}) queue.push(message(p, p));
    CHECK(queue.dropped() == 1);
    CHECK(drain_payloads(queue) == std::vector<std::string>{"hi/2", "hi/3", "hi/4"});
  }
}

TEST_CASE("capacity 0 is unbounded") {
  MessageQueue queue(bounded(QueueOrder::fifo, 0, OverflowPolicy::drop_newest));
  for (int i = 0; i < 10000; ++i) REQUIRE(queue.push(message(std::to_string(i))));
  CHECK(queue.size() == 10000);
  CHECK(queue.dropped() == 0);
}

TEST_CASE("block makes the producer wait for space") {
  MessageQueue queue(bounded(QueueOrder::fifo, 2, OverflowPolicy::block));
  queue.push(message("1"));
  queue.push(message("2"));
  auto blocked_push = std::async(std::launch::async, [&] { return queue.push(message("3")); });
  CHECK(blocked_push.wait_for(settle_time) == std::future_status::timeout);
  CHECK(queue.pop()->payload == "1");
  REQUIRE(blocked_push.wait_for(wake_deadline) == std::future_status::ready);
  CHECK(blocked_push.get());
  CHECK(queue.dropped() == 0);
  CHECK(drain_payloads(queue) == std::vector<std::string>{"2", "3"});
}

TEST_CASE("a blocked producer goes on once a quarter of the queue is free, not at the first place") {
  MessageQueue queue(bounded(QueueOrder::fifo, 8, OverflowPolicy::block));
  for (int i = 1; i <= 8; ++i) queue.push(message(std::to_string(i)));
  auto blocked_push = std::async(std::launch::async, [&] { return queue.push(message("9")); });
  REQUIRE(blocked_push.wait_for(settle_time) == std::future_status::timeout);
  CHECK(queue.pop()->payload == "1");  // 7 of 8: the producer still waits
  CHECK(blocked_push.wait_for(settle_time) == std::future_status::timeout);
  CHECK(queue.try_pop()->payload == "2");  // 6 of 8: a quarter is free
  REQUIRE(blocked_push.wait_for(wake_deadline) == std::future_status::ready);
  CHECK(blocked_push.get());
  CHECK(drain_payloads(queue) == std::vector<std::string>{"3", "4", "5", "6", "7", "8", "9"});
}

TEST_CASE("close wakes a blocked pop") {
  MessageQueue queue;
  auto blocked_pop = std::async(std::launch::async, [&] { return queue.pop(); });
  CHECK(blocked_pop.wait_for(settle_time) == std::future_status::timeout);
  queue.close();
  const bool woke = blocked_pop.wait_for(wake_deadline) == std::future_status::ready;
  CHECK(woke);
  if (woke) CHECK_FALSE(blocked_pop.get().has_value());
  CHECK(queue.closed());
}

TEST_CASE("close wakes a blocked push, which reports the message as not queued") {
  MessageQueue queue(bounded(QueueOrder::fifo, 1, OverflowPolicy::block));
  queue.push(message("1"));
  auto blocked_push = std::async(std::launch::async, [&] { return queue.push(message("2")); });
  CHECK(blocked_push.wait_for(settle_time) == std::future_status::timeout);
  queue.close();
  const bool woke = blocked_push.wait_for(wake_deadline) == std::future_status::ready;
  CHECK(woke);
  if (!woke) queue.try_pop();  // lets the thread finish so the test can report
  if (woke) CHECK_FALSE(blocked_push.get());
  CHECK(queue.dropped() == 0);  // refused by close, not by the overflow policy
  CHECK(drain_payloads(queue) == std::vector<std::string>{"1"});
}

TEST_CASE("a closed queue refuses pushes and drains what it holds") {
  MessageQueue queue;
  queue.push(message("1"));
  queue.push(message("2"));
  queue.close();
  CHECK_FALSE(queue.push(message("3")));
  CHECK(queue.dropped() == 0);
  CHECK(queue.pop()->payload == "1");
  CHECK(queue.pop_for(0ms)->payload == "2");
  CHECK_FALSE(queue.pop().has_value());
  CHECK_FALSE(queue.pop_for(1s).has_value());  // returns at once: closed and drained
  CHECK_FALSE(queue.try_pop().has_value());
}

TEST_CASE("pop_for times out on an empty queue and returns a message that arrives in time") {
  MessageQueue queue;
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(queue.pop_for(60ms).has_value());
  CHECK(std::chrono::steady_clock::now() - start >= 60ms);
  CHECK_FALSE(queue.try_pop().has_value());

  std::thread producer([&] {
    std::this_thread::sleep_for(settle_time);
    queue.push(message("late"));
  });
  const auto received = queue.pop_for(wake_deadline);
  producer.join();
  REQUIRE(received.has_value());
  CHECK(received->payload == "late");
}

TEST_CASE("messages keep every field") {
  MessageQueue queue;
  Message original = message("a/b", std::string("bin\0ary", 7));
  original.qos = 2;
  original.retain = true;
  original.properties.user_properties = {{"k", "v"}};
  queue.push(original);
  CHECK(queue.pop() == original);
}

TEST_CASE("queue option words") {
  CHECK(mqtk::parse_queue_order("fifo") == QueueOrder::fifo);
  CHECK(mqtk::parse_queue_order("lifo") == QueueOrder::lifo);
  CHECK(mqtk::parse_queue_order("priority") == QueueOrder::priority);
  CHECK(mqtk::parse_overflow_policy("block") == OverflowPolicy::block);
  CHECK(mqtk::parse_overflow_policy("drop-oldest") == OverflowPolicy::drop_oldest);
  CHECK(mqtk::parse_overflow_policy("drop-newest") == OverflowPolicy::drop_newest);
  CHECK(mqtk::parse_overflow_policy("drop-new") == OverflowPolicy::drop_newest);
  for (QueueOrder order : {QueueOrder::fifo, QueueOrder::lifo, QueueOrder::priority}) {
    CHECK(mqtk::parse_queue_order(to_string(order)) == order);
  }
  for (OverflowPolicy policy :
       {OverflowPolicy::block, OverflowPolicy::drop_oldest, OverflowPolicy::drop_newest}) {
    CHECK(mqtk::parse_overflow_policy(to_string(policy)) == policy);
  }
  CHECK(to_string(OverflowPolicy::drop_newest) == "drop-newest");
  CHECK_THROWS_WITH_AS(mqtk::parse_queue_order("x"),
                       "invalid queue order 'x' (expected fifo, lifo or priority)",
                       mqtk::UsageError);
  CHECK_THROWS_WITH_AS(mqtk::parse_queue_order("FIFO"),
                       "invalid queue order 'FIFO' (expected fifo, lifo or priority)",
                       mqtk::UsageError);
  CHECK_THROWS_WITH_AS(mqtk::parse_overflow_policy("drop_oldest"),
                       "invalid overflow policy 'drop_oldest' (expected block, drop-oldest or "
                       "drop-newest)",
                       mqtk::UsageError);
}

namespace {

struct Tag {
  int producer;
  int sequence;
};

Message tagged(int producer, int sequence) {
  return message("p/" + std::to_string(producer), std::to_string(sequence));
}

Tag tag_of(const Message& m) { return {std::stoi(m.topic.substr(2)), std::stoi(m.payload)}; }

// Runs `producers` threads pushing `per_producer` tagged messages each and `consumers` threads
// popping until the queue is closed and drained; returns what each consumer received, in order.
std::vector<std::vector<Tag>> run_producers_and_consumers(MessageQueue& queue, int producers,
                                                          int consumers, int per_producer) {
  std::vector<std::vector<Tag>> received(static_cast<std::size_t>(consumers));
  std::vector<std::thread> consumer_threads;
  for (auto& into : received) {
    consumer_threads.emplace_back([&queue, &into] {
      while (auto m = queue.pop()) into.push_back(tag_of(*m));
    });
  }
  std::vector<std::thread> producer_threads;
  for (int p = 0; p < producers; ++p) {
    producer_threads.emplace_back([&queue, p, per_producer] {
      for (int i = 0; i < per_producer; ++i) queue.push(tagged(p, i));
    });
  }
  for (auto& t : producer_threads) t.join();
  queue.close();
  for (auto& t : consumer_threads) t.join();
  return received;
}

// Every consumer must see each producer's messages in increasing order (the queue is fifo).
bool each_consumer_sees_producer_order(const std::vector<std::vector<Tag>>& received,
                                       int producers) {
  for (const auto& seen : received) {
    std::vector<int> last(static_cast<std::size_t>(producers), -1);
    for (const Tag& tag : seen) {
      int& previous = last[static_cast<std::size_t>(tag.producer)];
      if (tag.sequence <= previous) return false;
      previous = tag.sequence;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("many producers and consumers through a small blocking queue lose nothing") {
  constexpr int producers = 4;
  constexpr int consumers = 4;
  constexpr int per_producer = 5000;
  MessageQueue queue(bounded(QueueOrder::fifo, 16, OverflowPolicy::block));
  const auto received = run_producers_and_consumers(queue, producers, consumers, per_producer);

  std::vector<int> times_seen(producers * per_producer, 0);
  for (const auto& seen : received) {
    for (const Tag& tag : seen) ++times_seen[tag.producer * per_producer + tag.sequence];
  }
  CHECK(std::all_of(times_seen.begin(), times_seen.end(), [](int n) { return n == 1; }));
  CHECK(each_consumer_sees_producer_order(received, producers));
  CHECK(queue.dropped() == 0);
  CHECK(queue.size() == 0);
}

TEST_CASE("under drop_oldest, delivered plus dropped adds up to pushed, with no duplicates") {
  constexpr int producers = 4;
  constexpr int consumers = 2;
  constexpr int per_producer = 5000;
  MessageQueue queue(bounded(QueueOrder::fifo, 8, OverflowPolicy::drop_oldest));
  const auto received = run_producers_and_consumers(queue, producers, consumers, per_producer);

  std::vector<int> times_seen(producers * per_producer, 0);
  std::uint64_t delivered = 0;
  for (const auto& seen : received) {
    delivered += seen.size();
    for (const Tag& tag : seen) ++times_seen[tag.producer * per_producer + tag.sequence];
  }
  CHECK(delivered + queue.dropped() == std::uint64_t{producers * per_producer});
  CHECK(std::all_of(times_seen.begin(), times_seen.end(), [](int n) { return n <= 1; }));
  CHECK(each_consumer_sees_producer_order(received, producers));
}
