// Router: which queue each message reaches, with overlapping, shared and $-topic filters, the
// route's own queue options, refused pushes, and close().

#include <mqtk/router.hpp>

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

namespace {

using mqtk::Message;
using mqtk::MessageQueue;
using mqtk::QueueOptions;
using mqtk::Router;
using mqtk::TopicFilter;

Message router_message(std::string topic, std::string payload = {}) {
  Message m;
  m.topic = std::move(topic);
  m.payload = std::move(payload);
  return m;
}

std::vector<std::string> drain_topics(MessageQueue& queue) {
  std::vector<std::string> topics;
  while (auto m = queue.try_pop()) topics.push_back(m->topic);
  return topics;
}

using Topics = std::vector<std::string>;

}  // namespace

TEST_CASE("each message reaches every matching route, unmatched ones the default queue") {
  Router router;
  auto temperatures = router.add_route(TopicFilter("sensors/+/temperature"));
  auto sensors = router.add_route(TopicFilter("sensors/#"));
  auto exact = router.add_route(TopicFilter("sensors/kitchen/humidity"));

  CHECK(router.dispatch(router_message("sensors/kitchen/temperature")) == 2);
  CHECK(router.dispatch(router_message("sensors/kitchen/humidity")) == 2);
  CHECK(router.dispatch(router_message("sensors")) == 1);  // "sensors/#" matches its parent
  CHECK(router.dispatch(router_message("lights/kitchen")) == 0);
  CHECK(router.dispatch(router_message("sensors/hall/temperature/raw")) == 1);

  CHECK(drain_topics(*temperatures) == Topics{"sensors/kitchen/temperature"});
  CHECK(drain_topics(*sensors) == Topics{"sensors/kitchen/temperature", "sensors/kitchen/humidity",
                                         "sensors", "sensors/hall/temperature/raw"});
  CHECK(drain_topics(*exact) == Topics{"sensors/kitchen/humidity"});
  CHECK(drain_topics(*router.default_queue()) == Topics{"lights/kitchen"});
}

TEST_CASE("without routes everything goes to the default queue") {
  Router router;
  CHECK(router.dispatch(router_message("a")) == 0);
  CHECK(router.dispatch(router_message("$SYS/broker/uptime")) == 0);
  CHECK(drain_topics(*router.default_queue()) == Topics{"a", "$SYS/broker/uptime"});
}

TEST_CASE("$-topics are not caught by a leading wildcard route") {
  Router router;
  auto everything = router.add_route(TopicFilter("#"));
  auto system = router.add_route(TopicFilter("$SYS/#"));
  CHECK(router.dispatch(router_message("$SYS/broker/load")) == 1);
  CHECK(router.dispatch(router_message("app/x")) == 1);
  CHECK(drain_topics(*everything) == Topics{"app/x"});
  CHECK(drain_topics(*system) == Topics{"$SYS/broker/load"});
  CHECK(router.default_queue()->size() == 0);
}

TEST_CASE("a shared-subscription route matches on the filter after $share/group/") {
  Router router;
  auto jobs = router.add_route(TopicFilter("$share/workers/jobs/+"));
  CHECK(router.dispatch(router_message("jobs/42")) == 1);
  CHECK(router.dispatch(router_message("$share/workers/jobs/42")) == 0);
  CHECK(drain_topics(*jobs) == Topics{"jobs/42"});
  CHECK(drain_topics(*router.default_queue()) == Topics{"$share/workers/jobs/42"});
}

TEST_CASE("routes and the default queue use their own queue options") {
  QueueOptions lifo;
  lifo.order = mqtk::QueueOrder::lifo;
  Router router(lifo);
  QueueOptions keep_two;
  keep_two.capacity = 2;
  keep_two.overflow = mqtk::OverflowPolicy::drop_oldest;
  auto latest = router.add_route(TopicFilter("a/+"), keep_two);

  for (const char* topic : {"a/1", "a/2", "a/3", "b/1", "b/2"}) router.dispatch(router_message(topic));
  CHECK(latest->options().capacity == 2);
  CHECK(latest->dropped() == 1);
  CHECK(drain_topics(*latest) == Topics{"a/2", "a/3"});
  CHECK(router.default_queue()->options().order == mqtk::QueueOrder::lifo);
  CHECK(drain_topics(*router.default_queue()) == Topics{"b/2", "b/1"});
}

TEST_CASE("a message refused by a matching route does not fall through to the default queue") {
  Router router;
  QueueOptions one_slot;
  one_slot.capacity = 1;
  one_slot.overflow = mqtk::OverflowPolicy::drop_newest;
  auto small = router.add_route(TopicFilter("x/#"), one_slot);
  auto other = router.add_route(TopicFilter("x/+"));

  CHECK(router.dispatch(router_message("x/1")) == 2);
  CHECK(router.dispatch(router_message("x/2")) == 1);  // small is full; other still takes it
  CHECK(router.dispatch(router_message("x/2/deep")) == 0);
  CHECK(small->dropped() == 2);
  CHECK(drain_topics(*small) == Topics{"x/1"});
  CHECK(drain_topics(*other) == Topics{"x/1", "x/2"});
  CHECK(router.default_queue()->size() == 0);
}

TEST_CASE("dispatch copies the whole message to each route") {
  Router router;
  auto first = router.add_route(TopicFilter("t"));
  auto second = router.add_route(TopicFilter("+"));
  Message original = router_message("t", std::string("\0payload", 8));
  original.qos = 1;
  original.retain = true;
  original.properties.content_type = "application/octet-stream";
  CHECK(router.dispatch(original) == 2);
  CHECK(first->pop() == original);
  CHECK(second->pop() == original);
}

TEST_CASE("close() closes every queue and their consumers finish") {
  Router router;
  auto route = router.add_route(TopicFilter("a"));
  router.dispatch(router_message("a", "queued before close"));

  std::vector<std::string> consumed;
  std::thread consumer([&] {
    while (auto m = route->pop()) consumed.push_back(m->payload);
  });
  std::thread default_consumer([&] {
    while (router.default_queue()->pop()) {
    }
  });
  router.close();
  consumer.join();
  default_consumer.join();

  CHECK(consumed == std::vector<std::string>{"queued before close"});
  CHECK(route->closed());
  CHECK(router.default_queue()->closed());
  CHECK(router.dispatch(router_message("a")) == 0);
  CHECK(router.dispatch(router_message("b")) == 0);
  CHECK(router.default_queue()->size() == 0);
}
