#pragma once
/// @file
/// Filtered dispatch, like aiomqtt's filtered_messages: each route sends the messages whose
/// topic matches its filter to its own queue; a message that matches no route goes to the
/// default queue. A message matching several routes is delivered to each of them.
/// Thread-safety: add_route() before dispatching starts; dispatch() from any thread.

#include <memory>
#include <vector>

#include <mqtk/message.hpp>
#include <mqtk/message_queue.hpp>
#include <mqtk/topic.hpp>

namespace mqtk {

/// Fans messages out to per-filter queues; consumers pop from the queues it hands out.
class Router {
 public:
  explicit Router(QueueOptions default_queue_options = {});

  /// Returns the queue that receives messages matching `filter`.
  std::shared_ptr<MessageQueue> add_route(const TopicFilter& filter, QueueOptions options = {});
  std::shared_ptr<MessageQueue> default_queue() const noexcept;

  /// Routes one message; returns how many route queues accepted it. 0 means it went to the
  /// default queue, or that every matching route's queue refused it (full or closed; see .cpp).
  std::size_t dispatch(const Message& message);
  /// Closes every queue so their consumers finish.
  void close();

 private:
  struct Route {
    TopicFilter filter;
    std::shared_ptr<MessageQueue> queue;
  };
  std::vector<Route> routes_;
  std::shared_ptr<MessageQueue> default_queue_;
};

}  // namespace mqtk
