// Router: filtered dispatch in the manner of aiomqtt's filtered_messages/unmatched_messages.
//
// Whether a message goes to the default queue depends on matching alone, not on whether a
// route's queue accepted it: a message that matches a route whose queue is full (drop_newest)
// or closed is lost for that route and does not reappear in the default queue, so each queue
// only ever sees the topics it asked for. dispatch() then returns 0 although a route matched.
// A route queue with the `block` policy makes dispatch() wait for its consumer; give routes a
// drop policy when dispatch runs on a thread that must not block (paho's callback thread).

#include <mqtk/router.hpp>

#include <utility>

namespace mqtk {

Router::Router(QueueOptions default_queue_options)
    : default_queue_(std::make_shared<MessageQueue>(std::move(default_queue_options))) {}

std::shared_ptr<MessageQueue> Router::add_route(const TopicFilter& filter, QueueOptions options) {
  auto queue = std::make_shared<MessageQueue>(std::move(options));
  routes_.push_back(Route{filter, queue});
  return queue;
}

std::shared_ptr<MessageQueue> Router::default_queue() const noexcept { return default_queue_; }

std::size_t Router::dispatch(const Message& message) {
  bool matched = false;
  std::size_t accepted = 0;
  for (const Route& route : routes_) {
    if (!route.filter.matches(message.topic)) continue;
    matched = true;
    if (route.queue->push(message)) ++accepted;
  }
  if (!matched) default_queue_->push(message);
  return accepted;
}

void Router::close() {
  for (const Route& route : routes_) route.queue->close();
  default_queue_->close();
}

}  // namespace mqtk
