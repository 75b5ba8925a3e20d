#pragma once
// Internal to the core: the state behind Client, shared by client.cpp (connection lifecycle,
// reconnect worker), client_publish.cpp (publish path and sender thread) and
// client_subscribe.cpp. It outlives connections; the Transport beneath (transport.hpp) speaks
// MQTT on the current one.
//
// Threads: the transport's network thread only runs the short TransportEvents here (they take
// mutex_, move state, notify, never wait). worker_ runs the reconnect loop and user event
// handlers; sender_ hands buffered publishes to the transport within the in-flight window.
// mutex_ is never held while calling into the transport, so its locks and ours cannot deadlock.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <mqtk/client.hpp>
#include "core/transport.hpp"

namespace mqtk {

// Counts a thread waiting on state_changed_ for publish progress while it lives.
class ProgressWaiter {
 public:
  explicit ProgressWaiter(std::size_t& waiters) : waiters_(waiters) { ++waiters_; }
  ~ProgressWaiter() { --waiters_; }
  ProgressWaiter(const ProgressWaiter&) = delete;
  ProgressWaiter& operator=(const ProgressWaiter&) = delete;

 private:
  std::size_t& waiters_;
};

class Client::Impl final : private detail::TransportEvents {
 public:
  explicit Impl(ClientOptions options);
  ~Impl();

  ConnectResult connect();
  std::size_t disconnect(std::chrono::milliseconds grace);
  void stop();

  std::future<SubscribeResult> subscribe(std::vector<Subscription> subscriptions);
  std::future<void> unsubscribe(std::vector<std::string> filters);
  std::future<PublishResult> publish(Message message, Write write);
  void flush();
  std::size_t wait_for_publishes(std::chrono::milliseconds timeout);
  std::size_t publishes_in_flight() const;
  void acknowledge(std::span<const Receipt> receipts) {
    if (options_.manual_acks) transport_->acknowledge(receipts);
  }

  MessageQueue& messages() { return incoming_; }
  bool is_connected() const;
  const std::string& client_id() const { return client_id_; }
  std::optional<ConnectResult> connect_result() const;
  void set_event_handler(std::function<void(const ClientEvent&)> handler);

 private:
  enum class State { idle, connected, disconnected, closing, closed };

  struct PendingPublish {
    std::shared_ptr<const Message> message;  // shared with the transport while it sends
    std::promise<PublishResult> promise;
  };
  // One subscribe() call: usually one SUBSCRIBE packet, but one per filter when the transport
  // cannot carry the v5 options of several filters in one packet (client_subscribe.cpp).
  struct SubscribeCall {
    std::vector<std::string> filters;
    std::vector<int> codes;  // SUBACK reason code per filter, filled as packets are answered
    std::size_t packets_left = 0;
    bool settled = false;    // promise already has a value or an exception
    std::promise<SubscribeResult> promise;
  };
  struct PendingSubscribe {  // one SUBSCRIBE packet awaiting its SUBACK
    std::shared_ptr<SubscribeCall> call;
    std::size_t first = 0;   // its filters are call->filters[first, first + count)
    std::size_t count = 0;
  };
  struct WorkerEvent {
    enum class Kind { connection_lost, broker_disconnect, publish_dropped } kind;
    std::string detail;
    std::optional<int> reason_code;
  };

  // client.cpp
  ConnectResult connect_once();
  // TransportEvents: the transport's network thread, must not block.
  void on_message(Message&& message) override { incoming_.push(std::move(message)); }
  void on_messages(std::vector<Message>& messages) override { incoming_.push_all(messages); }
  void on_connection_lost(const std::string& cause) override;
  void on_broker_disconnect(int reason_code) override;
  void on_publish_done(std::uint64_t id, detail::PublishOutcome outcome) override;
  void on_subscribe_done(std::uint64_t id, detail::SubscribeOutcome outcome) override;
  void on_unsubscribe_done(std::uint64_t id, std::string failure) override;
  void post(WorkerEvent event);
  void emit(const ClientEvent& event);
  void worker_loop();
  void reconnect_loop();
  void resubscribe_all();
  bool wait_unless_stopped(std::chrono::milliseconds delay);
  // client_subscribe.cpp: fails every subscribe()/unsubscribe() future still waiting for an ack.
  void fail_pending_subscriptions(const std::string& why);
  void start_threads();
  void join_threads();

  // client_publish.cpp
  void sender_loop();
  void hand_to_transport(std::uint64_t id, std::shared_ptr<const Message> message, Write write);
  void fail_all_publishes(const std::string& why);
  std::size_t outstanding_publishes_locked() const {
    return buffered_.size() + in_flight_.size();
  }

  ClientOptions options_;
  std::string client_id_;
  MessageQueue incoming_;
  std::unique_ptr<detail::Transport> transport_;  // destroyed first, in ~Impl

  mutable std::mutex mutex_;
  std::condition_variable state_changed_;   // state_, stop_, window or buffer space
  std::condition_variable worker_wakeup_;
  std::condition_variable sender_wakeup_;
  State state_ = State::idle;
  bool stop_ = false;
  std::optional<ConnectResult> last_connect_;
  std::vector<Subscription> subscriptions_;   // restored after a reconnect without session
  std::map<std::uint64_t, PendingSubscribe> pending_subscribes_;
  // UNSUBSCRIBEs awaiting UNSUBACK.
  std::map<std::uint64_t, std::promise<void>> pending_unsubscribes_;
  std::uint64_t next_operation_id_ = 1;
  std::map<std::uint64_t, PendingPublish> buffered_;   // not yet handed to the transport, in order
  std::map<std::uint64_t, PendingPublish> in_flight_;  // handed to the transport, awaiting completion
  std::size_t window_ = 100;
  // Waking threads costs more than publishing (futex wake-ups dominated a profile of pub -l):
  // callbacks notify only when someone waits for publish progress or the sender is asleep.
  std::size_t progress_waiters_ = 0;
  bool sender_waiting_ = false;
  bool sender_busy_ = false;  // the sender holds a batch taken from buffered_ but not yet sent
  std::deque<WorkerEvent> worker_events_;
  std::function<void(const ClientEvent&)> event_handler_;

  std::thread worker_;
  std::thread sender_;
};

}  // namespace mqtk
