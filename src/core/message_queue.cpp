// MessageQueue: one mutex, two condition variables, and the messages kept in "lanes".
//
// fifo and lifo keep a single lane in arrival order (fifo takes from the front, lifo from the
// back). priority keeps one lane per filter plus a last lane for unmatched messages; a push
// classifies the message by its first matching filter (O(number of filters)) and a pop takes
// the front of the first non-empty lane, so arrival order holds within a class.
//
// What drop_oldest removes to make room, for each order:
//   fifo      the front: the oldest message, which would also be served next.
//   lifo      the bottom: the oldest message, which would be served last.
//   priority  the oldest message of the lowest-priority non-empty class (unmatched messages
//             are the lowest class). The class of the incoming message plays no part, so a
//             full queue of high-priority messages still makes room for a low one.
// In every order the victim is an old message and never the one just pushed, which is what
// "keep the latest data" (the reason to choose drop_oldest) asks for.
//
// close() does not discard anything: consumers drain what is queued, then pop() returns
// nullopt. A producer blocked in push() when close() comes returns false and its message is
// not queued.

#include <mqtk/message_queue.hpp>

#include <algorithm>
#include <thread>

#include <utility>

#include <mqtk/error.hpp>

namespace mqtk {

QueueOrder parse_queue_order(std::string_view word) {
  if (word == "fifo") return QueueOrder::fifo;
  if (word == "lifo") return QueueOrder::lifo;
  if (word == "priority") return QueueOrder::priority;
  throw UsageError("invalid queue order '" + std::string(word) +
                   "' (expected fifo, lifo or priority)");
}

OverflowPolicy parse_overflow_policy(std::string_view word) {
  if (word == "block") return OverflowPolicy::block;
  if (word == "drop-oldest") return OverflowPolicy::drop_oldest;
  if (word == "drop-newest" || word == "drop-new") return OverflowPolicy::drop_newest;
  throw UsageError("invalid overflow policy '" + std::string(word) +
                   "' (expected block, drop-oldest or drop-newest)");
}

std::string_view to_string(QueueOrder order) noexcept {
  switch (order) {
    case QueueOrder::fifo: return "fifo";
    case QueueOrder::lifo: return "lifo";
    case QueueOrder::priority: return "priority";
  }
  return "unknown";
}

std::string_view to_string(OverflowPolicy policy) noexcept {
  switch (policy) {
    case OverflowPolicy::block: return "block";
    case OverflowPolicy::drop_oldest: return "drop-oldest";
    case OverflowPolicy::drop_newest: return "drop-newest";
  }
  return "unknown";
}

MessageQueue::MessageQueue(QueueOptions options) : options_(std::move(options)) {
  // Filters are validated (TopicFilter throws UsageError) whatever the order, so a typo is
  // reported even when the order makes them unused.
  for (const std::string& filter : options_.priority_filters) {
    TopicFilter validated(filter);
    if (options_.order == QueueOrder::priority) priority_filters_.push_back(std::move(validated));
  }
  lanes_.resize(priority_filters_.size() + 1);
}

bool MessageQueue::full() const {
  return options_.capacity != 0 && size_ >= options_.capacity;
}

// A producer blocked on a full queue goes on once a quarter of it is free, not at the first free
// place: a consumer slower than its producer would otherwise wake it for every message it takes
// (seen: the bridge's network thread woken 10,000 times for 10,000 messages while mosquitto sent
// past the receive maximum).
bool MessageQueue::room_for_blocked_producer() const {
  return size_ + std::max<std::size_t>(1, options_.capacity / 4) <= options_.capacity;
}

bool MessageQueue::producer_to_wake() const {
  return producers_waiting_ > 0 && room_for_blocked_producer();
}

std::size_t MessageQueue::lane_of(const Message& message) const {
  for (std::size_t lane = 0; lane < priority_filters_.size(); ++lane) {
    if (priority_filters_[lane].matches(message.topic)) return lane;
  }
  return priority_filters_.size();
}

Message MessageQueue::take_next() {
  for (std::deque<Message>& lane : lanes_) {
    if (lane.empty()) continue;
    Message message;
    if (options_.order == QueueOrder::lifo) {
      message = std::move(lane.back());
      lane.pop_back();
    } else {
      message = std::move(lane.front());
      lane.pop_front();
    }
    --size_;
    size_hint_.store(size_, std::memory_order_relaxed);
    return message;
  }
  return {};  // unreachable while size_ > 0
}

// A consumer that keeps up finds the queue empty after almost every message, and sleeping on the
// condition variable then costs the producer a futex wake-up and both threads a context switch
// per message. Behind paho's receive thread a few yields first let the next message arrive
// while the consumer is still awake (2 cores, 100,000 x 64 B QoS 0: 79k -> 103k msg/s, 1.27 ->
// 0.86 s CPU), so the paho engine asks for 50. Behind mqtk's own engine the same yields cost
// more than they save (0.97-1.13x mosquitto_sub without them, 0.70-0.76x with): it asks for none.
void MessageQueue::spin_before_waiting() const {
  for (int i = 0; i < yields_before_waiting_ && size_hint_.load(std::memory_order_relaxed) == 0; ++i)
    std::this_thread::yield();
}

bool MessageQueue::admit(std::unique_lock<std::mutex>& lock) {
  if (closed_) return false;
  if (!full()) return true;
  switch (options_.overflow) {
    case OverflowPolicy::block:
      // A consumer may be asleep on what this producer queued without waking it yet (push_all).
      if (consumers_waiting_ > 0) not_empty_.notify_one();
      ++producers_waiting_;
      not_full_.wait(lock, [this] { return closed_ || room_for_blocked_producer(); });
      --producers_waiting_;
      return !closed_;
    case OverflowPolicy::drop_newest:
      ++dropped_;
      return false;
    case OverflowPolicy::drop_oldest:
      for (auto victim_lane = lanes_.rbegin(); victim_lane != lanes_.rend(); ++victim_lane) {
        if (victim_lane->empty()) continue;
        victim_lane->pop_front();
        --size_;
        size_hint_.store(size_, std::memory_order_relaxed);
        ++dropped_;
        break;
      }
      return true;
  }
  return true;
}

bool MessageQueue::push(Message message) {
  // Classify before taking the lock: matching needs no shared state.
  const std::size_t lane = lane_of(message);
  {
    std::unique_lock lock(mutex_);
    if (!admit(lock)) return false;
    lanes_[lane].push_back(std::move(message));
    ++size_;
    size_hint_.store(size_, std::memory_order_relaxed);
    if (consumers_waiting_ == 0) return true;
  }
  not_empty_.notify_one();
  return true;
}

std::size_t MessageQueue::push_all(std::vector<Message>& messages) {
  std::size_t queued = 0;
  bool wake = false;
  {
    std::unique_lock lock(mutex_);
    for (Message& message : messages) {
      if (!admit(lock)) {
        if (closed_) break;
        continue;
      }
      lanes_[lane_of(message)].push_back(std::move(message));
      ++size_;
      ++queued;
    }
    size_hint_.store(size_, std::memory_order_relaxed);
    wake = queued > 0 && consumers_waiting_ > 0;
  }
  messages.clear();
  if (wake) not_empty_.notify_one();
  return queued;
}

std::optional<Message> MessageQueue::pop() {
  spin_before_waiting();
  std::optional<Message> message;
  {
    std::unique_lock lock(mutex_);
    ++consumers_waiting_;
    not_empty_.wait(lock, [this] { return closed_ || size_ > 0; });
    --consumers_waiting_;
    if (size_ == 0) return std::nullopt;
    message = take_next();
    if (!producer_to_wake()) return message;
  }
  not_full_.notify_one();
  return message;
}

std::optional<Message> MessageQueue::pop_for(std::chrono::milliseconds timeout) {
  if (timeout.count() > 0) spin_before_waiting();
  std::optional<Message> message;
  {
    std::unique_lock lock(mutex_);
    ++consumers_waiting_;
    not_empty_.wait_for(lock, timeout, [this] { return closed_ || size_ > 0; });
    --consumers_waiting_;
    if (size_ == 0) return std::nullopt;
    message = take_next();
    if (!producer_to_wake()) return message;
  }
  not_full_.notify_one();
  return message;
}

std::optional<Message> MessageQueue::try_pop() {
  std::optional<Message> message;
  {
    std::lock_guard lock(mutex_);
    if (size_ == 0) return std::nullopt;
    message = take_next();
    if (!producer_to_wake()) return message;
  }
  not_full_.notify_one();
  return message;
}

void MessageQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
}

bool MessageQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

std::size_t MessageQueue::size() const {
  std::lock_guard lock(mutex_);
  return size_;
}

std::uint64_t MessageQueue::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace mqtk
