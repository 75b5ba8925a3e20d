#pragma once
/// @file
/// A bounded, thread-safe, closable queue of incoming messages with a chosen order:
/// FIFO, LIFO, or priority by an ordered list of topic filters (a message matching an earlier
/// filter comes out first; ties and unmatched messages in arrival order, unmatched last).
/// Overflow policy when full: block the producer, drop the oldest queued message, or drop the
/// new one; every drop is counted. close() wakes every waiter.
/// Thread-safety: every member function may be called from any thread concurrently.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <mqtk/message.hpp>
#include <mqtk/topic.hpp>

namespace mqtk {

/// The order a MessageQueue hands messages out in.
enum class QueueOrder { fifo, lifo, priority };
/// What push() does when a bounded MessageQueue is full.
enum class OverflowPolicy { block, drop_oldest, drop_newest };

/// How a MessageQueue orders and bounds its messages (aiomqtt's queue_type and max_queued).
struct QueueOptions {
  QueueOrder order = QueueOrder::fifo;
  std::vector<std::string> priority_filters{};  ///< used when order == priority; validated filters
  std::size_t capacity = 0;                   ///< 0 = unbounded
  OverflowPolicy overflow = OverflowPolicy::block;
};

/// Parse and print the option words used on the command line: "fifo" "lifo" "priority",
/// "block" "drop-oldest" "drop-newest". Parsing throws UsageError.
QueueOrder parse_queue_order(std::string_view word);
OverflowPolicy parse_overflow_policy(std::string_view word);
std::string_view to_string(QueueOrder order) noexcept;
std::string_view to_string(OverflowPolicy policy) noexcept;

/// See the file comment. Used as Client::messages() and as each Router route's queue.
class MessageQueue {
 public:
  explicit MessageQueue(QueueOptions options = {});

  /// Adds a message. With a full queue: `block` waits until a quarter of it is free (or close),
  /// so a slower consumer does not wake the producer for every message; `drop_newest`
  /// discards `message`, `drop_oldest` discards the oldest queued message (fifo: the front;
  /// lifo: the bottom; priority: the oldest of the lowest-priority non-empty class; see .cpp).
  /// Returns false when the message was not queued (closed or dropped).
  bool push(Message message);
  /// push() for each of `messages` in order, under one lock and with one wake-up of the
  /// consumer: how an engine hands over everything one read brought. Returns how many were
  /// queued; `messages` is left empty.
  std::size_t push_all(std::vector<Message>& messages);

  /// Takes the next message in the queue's order; waits while empty. nullopt once closed and
  /// drained.
  std::optional<Message> pop();
  /// As pop(), waiting at most `timeout`; nullopt on timeout or when closed and drained.
  std::optional<Message> pop_for(std::chrono::milliseconds timeout);
  std::optional<Message> try_pop();

  /// No more pushes are accepted; waiters wake; queued messages can still be popped.
  void close();
  bool closed() const;

  std::size_t size() const;
  std::uint64_t dropped() const;  ///< messages discarded by the overflow policy
  /// Tuning for the producer feeding this queue: how many times a consumer that finds it empty
  /// yields before sleeping (0 = sleep at once; see message_queue.cpp). Set before consuming.
  void set_yields_before_waiting(int yields) noexcept { yields_before_waiting_ = yields; }
  const QueueOptions& options() const noexcept { return options_; }

 private:
  bool full() const;  ///< callers hold mutex_
  bool room_for_blocked_producer() const;  ///< callers hold mutex_
  bool producer_to_wake() const;  ///< after a take: a blocked producer may go on; callers hold mutex_
  /// Makes room for one more message per the overflow policy; false when it must not be
  /// queued. Callers hold `lock` on mutex_.
  bool admit(std::unique_lock<std::mutex>& lock);
  std::size_t lane_of(const Message& message) const;
  Message take_next();  ///< callers hold mutex_ and know the queue is not empty
  void spin_before_waiting() const;

  QueueOptions options_;
  std::vector<TopicFilter> priority_filters_;
  /// One lane per priority filter plus one for unmatched messages (a single lane for fifo and
  /// lifo), each in arrival order.
  std::vector<std::deque<Message>> lanes_;
  std::size_t size_ = 0;
  /// size_ for a consumer's look without the lock (message_queue.cpp: spin_before_waiting).
  std::atomic<std::size_t> size_hint_{0};
  std::uint64_t dropped_ = 0;
  int yields_before_waiting_ = 0;
  bool closed_ = false;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  /// Threads blocked on each condition: a notify is skipped when nobody waits, so a consumer
  /// that is busy printing is not woken once per message.
  std::size_t consumers_waiting_ = 0;
  std::size_t producers_waiting_ = 0;
};

}  // namespace mqtk
