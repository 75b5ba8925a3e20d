#pragma once
// One thread of `mqtk bench`: an epoll loop owning a share of the clients (bench_connection),
// connecting them at a bounded pace, publishing on an open-loop schedule (pacing.hpp),
// receiving and checking bench payloads, and counting everything for the aggregator. The
// aggregator (the command's thread) reads the atomics and, under the lock, the latency of the
// last interval; it steers the phases through RunControl.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench/bench_connection.hpp"
#include "bench/histogram.hpp"
#include "bench/pacing.hpp"
#include "bench/sequence_tracker.hpp"

namespace mqtk::bench {

enum class ClientRole { connect_only, publisher, subscriber };

struct ClientPlan {
  ClientRole role = ClientRole::connect_only;
  std::uint64_t number = 0;  // -n + index: the publisher id in payloads
  std::string client_id;
  std::string topic;         // publish topic (%i/%c expanded) or subscription filter
  Clock::duration connect_offset{};  // when to start connecting, after the run began
};

struct WorkerPlan {
  std::vector<ClientPlan> clients;
  int qos = 0;              // publish and subscribe QoS
  std::size_t payload_size = 256;
  double publish_rate = 0;  // this worker's share of --rate (msg/s); 0 = unpaced
  std::uint64_t publish_total = OpenLoopSchedule::kUnlimited;  // this worker's share of the limit
  bool random_topics = false;
  bool shared_subscription = false;  // no per-publisher sequence checks (receivers split streams)
  // A subscriber that may join running publishers counts loss from the first number it sees
  // (bench sub); the sink of pub --subscribe is there from message 0.
  bool sequences_from_first_seen = false;
  std::size_t max_connecting = 64;   // connections in progress at once
  Clock::duration reconnect_delay = std::chrono::seconds(1);
  Clock::duration connect_timeout = std::chrono::seconds(10);
};

// Set by the aggregator, read by every worker.
struct RunControl {
  Clock::time_point began{};
  std::atomic<bool> publish{false};  // the connect phase is over everywhere: start the schedule
  Clock::time_point publish_start{};   // written before `publish` is set
  Clock::time_point measure_from{};    // publish_start + warmup
  std::int64_t measure_from_real_ns = 0;
  Clock::time_point publish_until = Clock::time_point::max();  // --duration: nothing due later is sent
  std::atomic<bool> stop_publishing{false};  // duration over or SIGINT: no new publishes
  std::atomic<bool> finish{false};           // disconnect everything and return
};

// What the aggregator may read while the worker runs.
struct WorkerStats {
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> acked{0};
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<std::uint64_t> connected_now{0};
  std::atomic<std::uint64_t> ever_connected{0};
  std::atomic<bool> setup_done{false};       // every client connected (and subscribed) or failed
  std::atomic<bool> publishing_done{false};  // every publisher sent its share and has no acks due
  std::atomic<std::int64_t> setup_finished_ns{0};   // steady, since the run began
  std::atomic<std::int64_t> last_receive_ns{0};     // steady, since the run began
  std::atomic<std::int64_t> first_receive_ns{0};
  std::atomic<std::int64_t> last_ack_ns{0};

  std::mutex mutex;  // guards what follows
  LatencyHistogram interval_latency;  // since the aggregator last took it
};

class Worker final : private ConnectionEvents {
 public:
  Worker(WorkerPlan plan, const SessionSettings& settings, RunControl& control);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();  // runs the loop on its own thread
  void join();

  WorkerStats& stats() noexcept { return stats_; }
  // After join(): the totals of the measured window.
  const LatencyHistogram& latency() const noexcept { return latency_total_; }
  const LatencyHistogram& connect_times() const noexcept { return connect_times_; }
  const std::array<std::uint64_t, static_cast<std::size_t>(ErrorKind::count_)>& errors_by_kind() const noexcept {
    return errors_by_kind_;
  }
  const std::string& first_error() const noexcept { return first_error_; }
  // Per publisher number: messages sent (all of them, warmup included).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> published_counts() const;
  // Per publisher number: what this worker's receivers saw (merged over its receivers).
  const std::unordered_map<std::uint64_t, SequenceCounts>& sequence_counts() const noexcept {
    return sequence_counts_;
  }
  // Counted by the trackers after join(), with the publishers' totals when known.
  void finalize_sequences(const std::unordered_map<std::uint64_t, std::uint64_t>& published);

 private:
  struct Slot {
    Slot(std::uint32_t index, ClientPlan client_plan)
        : plan(std::move(client_plan)), connection(index, plan.client_id) {}
    ClientPlan plan;
    BenchConnection connection;
    std::uint32_t events = 0;  // what epoll watches now
    bool dirty = false;        // has queued output to flush this iteration
    bool runnable = false;     // in the unpaced publish list
    bool ever_connected = false;
    bool connecting = false;   // counted in connecting_
    bool live = false;         // CONNACK received on the current socket
    bool subscribed = false;
    bool settled = false;      // counted in setup (connected+subscribed, or failed)
    bool gave_up = false;      // the first connection failed: not retried
    std::uint64_t publisher_index = 0;
    std::uint64_t sent = 0;             // all publishes, warmup included
    std::uint32_t warmup_inflight = 0;  // in-flight publishes sent before measure_from
    Clock::time_point reopen_at = Clock::time_point::max();
    std::unordered_map<std::uint64_t, SequenceTracker> trackers;  // receivers: per publisher
  };

  void run();
  void open_due_clients(Clock::time_point now);
  void open(Slot& slot, Clock::time_point now);
  void handle_event(Slot& slot, std::uint32_t events);
  void update_interest(Slot& slot);
  void mark_dirty(Slot& slot);
  void flush_dirty();
  void publish_due(Slot& slot, Clock::time_point now);
  void advance_schedule(Clock::time_point now);
  void housekeeping(Clock::time_point now);
  void settle(Slot& slot);
  void check_publishing_done();
  void count_unacknowledged();
  void hand_over_latency();
  void disconnect_all();
  std::int64_t since_began(Clock::time_point t) const noexcept;

  void on_connected(BenchConnection& connection, const Connack& connack) override;
  void on_subscribed(BenchConnection& connection, std::uint8_t code) override;
  void on_message(BenchConnection& connection, const IncomingPublish& message) override;
  void on_acked(BenchConnection& connection, std::uint8_t reason) override;
  void on_closed(BenchConnection& connection, ErrorKind kind, const std::string& detail) override;
  void count_error(ErrorKind kind, const std::string& detail);

  WorkerPlan plan_;
  const SessionSettings& settings_;
  RunControl& control_;
  WorkerStats stats_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> publishers_;  // slot indices
  detail::Fd epoll_;
  std::thread thread_;

  std::vector<std::uint32_t> dirty_;
  std::vector<std::uint32_t> runnable_;
  std::size_t next_to_open_ = 0;
  std::size_t connecting_ = 0;
  std::size_t settled_ = 0;
  bool publishing_ = false;
  OpenLoopSchedule schedule_;
  std::uint64_t due_ = 0;
  std::int64_t schedule_real_offset_ns_ = 0;  // realtime ns of schedule start minus steady
  std::string payload_;
  std::string scratch_;
  std::mt19937_64 random_{std::random_device{}()};

  LatencyHistogram latency_total_;
  LatencyHistogram latency_interval_;
  LatencyHistogram connect_times_;
  std::array<std::uint64_t, static_cast<std::size_t>(ErrorKind::count_)> errors_by_kind_{};
  std::string first_error_;
  std::unordered_map<std::uint64_t, SequenceCounts> sequence_counts_;
  Clock::time_point next_housekeeping_{};
  Clock::time_point next_handover_{};
};

}  // namespace mqtk::bench
