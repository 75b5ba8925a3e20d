#include "bench/worker.hpp"

#include "core/liveness_watch.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/epoll.h>

#include "bench/payload.hpp"
#include "bench/topic_template.hpp"
#include <mqtk/error.hpp>

namespace mqtk::bench {
namespace {

constexpr std::size_t kMaxBufferedPerClient = 1u << 20;  // then a paced client falls behind
constexpr std::uint64_t kUnpacedBatch = 64;               // QoS 0 publishes per write, unpaced
constexpr auto kHandoverInterval = std::chrono::milliseconds(50);
constexpr auto kMaxWait = std::chrono::milliseconds(50);
constexpr auto kMinPacedWait = std::chrono::microseconds(100);
// Connect timeouts, keepalive pings and reconnects are checked this often (a scan of all clients).
constexpr auto kHousekeepingInterval = std::chrono::milliseconds(250);

}  // namespace

Worker::Worker(WorkerPlan plan, const SessionSettings& settings, RunControl& control)
    : plan_(std::move(plan)), settings_(settings), control_(control),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)), scratch_(64 * 1024, '\0') {
  if (!epoll_) throw Error(ErrorCategory::runtime, std::string("epoll_create1: ") + std::strerror(errno));
  slots_.reserve(plan_.clients.size());
  for (ClientPlan& client : plan_.clients) {
    const auto index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back(index, std::move(client));
    if (slots_.back().plan.role == ClientRole::publisher) {
      slots_.back().publisher_index = publishers_.size();
      publishers_.push_back(index);
    }
  }
  plan_.clients.clear();
  payload_.assign(std::max(plan_.payload_size, kPayloadHeaderSize), 'x');
}

Worker::~Worker() { join(); }

void Worker::start() {
  thread_ = std::thread([this] { run(); });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

std::int64_t Worker::since_began(Clock::time_point t) const noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t - control_.began).count();
}

void Worker::run() {
  std::vector<epoll_event> events(512);
  next_housekeeping_ = Clock::now() + kHousekeepingInterval;
  next_handover_ = Clock::now() + kHandoverInterval;
  if (slots_.empty()) {
    stats_.setup_done = true;
    stats_.publishing_done = true;
  }
  while (!control_.finish.load(std::memory_order_acquire)) {
    Clock::time_point now = Clock::now();
    if (!publishing_ && control_.publish.load(std::memory_order_acquire) &&
        !control_.stop_publishing.load(std::memory_order_relaxed) && !stats_.publishing_done) {
      publishing_ = true;
      schedule_ = OpenLoopSchedule(control_.publish_start, plan_.publish_rate, publishers_.size(),
                                   plan_.publish_total);
      for (const std::uint32_t index : publishers_) publish_due(slots_[index], now);
    }
    if (publishing_ && control_.stop_publishing.load(std::memory_order_relaxed)) publishing_ = false;
    open_due_clients(now);
    if (publishing_ && schedule_.paced()) advance_schedule(now);
    if (publishing_ && !schedule_.paced()) {
      std::size_t kept = 0;
      for (std::size_t i = 0; i < runnable_.size(); ++i) {
        Slot& slot = slots_[runnable_[i]];
        if (!slot.connection.has_output()) publish_due(slot, now);
        const bool more = slot.connection.ready() && slot.sent < schedule_.quota_for(slot.publisher_index);
        slot.runnable = more;
        if (more) runnable_[kept++] = runnable_[i];
      }
      runnable_.resize(kept);
    }
    flush_dirty();

    Clock::time_point wake = std::min(now + kMaxWait, next_housekeeping_);
    // Paced: wake for the next due message, but at most every kMinPacedWait, so a high rate
    // is sent in small batches (one write per client) instead of one wake-up per message.
    if (publishing_ && schedule_.paced())
      wake = std::min(wake, std::max(schedule_.next_due_time(due_), now + kMinPacedWait));
    if (next_to_open_ < slots_.size())
      wake = std::min(wake, control_.began + slots_[next_to_open_].plan.connect_offset);
    if (!runnable_.empty() && publishing_) wake = now;
    const auto wait = std::max<Clock::duration>(wake - Clock::now(), Clock::duration::zero());
    timespec timeout{};
    timeout.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(wait).count();
    timeout.tv_nsec = (std::chrono::duration_cast<std::chrono::nanoseconds>(wait) % std::chrono::seconds(1)).count();
    const int n = ::epoll_pwait2(epoll_.get(), events.data(), static_cast<int>(events.size()), &timeout, nullptr);
    for (int i = 0; i < n; ++i) handle_event(slots_[events[static_cast<std::size_t>(i)].data.u32], events[static_cast<std::size_t>(i)].events);

    now = Clock::now();
    if (now >= next_housekeeping_) housekeeping(now);
    if (now >= next_handover_) {
      hand_over_latency();
      check_publishing_done();
      next_handover_ = now + kHandoverInterval;
    }
  }
  count_unacknowledged();
  disconnect_all();
  hand_over_latency();
}

// A run normally ends once every publisher's window drained; one that ends before (--drain
// expired on a stalled network, a signal) leaves publishers whose acknowledgements never came.
void Worker::count_unacknowledged() {
  for (const std::uint32_t index : publishers_) {
    const BenchConnection& connection = slots_[index].connection;
    if (connection.ready() && connection.inflight() > 0)
      count_error(ErrorKind::ack_timeout,
                  std::to_string(connection.inflight()) + " publishes unacknowledged when the run ended");
  }
}

void Worker::open_due_clients(Clock::time_point now) {
  while (next_to_open_ < slots_.size() && connecting_ < plan_.max_connecting &&
         control_.began + slots_[next_to_open_].plan.connect_offset <= now)
    open(slots_[next_to_open_++], now);
}

void Worker::open(Slot& slot, Clock::time_point now) {
  slot.events = 0;
  slot.live = false;
  slot.connecting = true;
  ++connecting_;
  if (!slot.connection.open(settings_, now, *this)) return;
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT;
  event.data.u32 = slot.connection.slot();
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, slot.connection.fd(), &event) != 0) {
    slot.connection.close();
    on_closed(slot.connection, ErrorKind::connect_failed, std::string("epoll_ctl: ") + std::strerror(errno));
    return;
  }
  slot.events = event.events;
}

void Worker::handle_event(Slot& slot, std::uint32_t events) {
  BenchConnection& connection = slot.connection;
  if ((events & EPOLLOUT) != 0) connection.handle_writable(*this);
  if (connection.fd() >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0)
    connection.handle_readable(*this, {scratch_.data(), scratch_.size()});
  if (connection.fd() < 0) return;
  if (connection.has_output()) mark_dirty(slot);
  else if (publishing_ && slot.plan.role == ClientRole::publisher && (events & EPOLLOUT) != 0)
    publish_due(slot, Clock::now());
  update_interest(slot);
}

void Worker::update_interest(Slot& slot) {
  const int fd = slot.connection.fd();
  if (fd < 0) return;
  const std::uint32_t wanted = EPOLLIN | (slot.connection.wants_writable() ? EPOLLOUT : 0u);
  if (wanted == slot.events) return;
  epoll_event event{};
  event.events = wanted;
  event.data.u32 = slot.connection.slot();
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event) == 0) slot.events = wanted;
}

void Worker::mark_dirty(Slot& slot) {
  if (slot.dirty) return;
  slot.dirty = true;
  dirty_.push_back(slot.connection.slot());
}

void Worker::flush_dirty() {
  for (std::size_t i = 0; i < dirty_.size(); ++i) {
    Slot& slot = slots_[dirty_[i]];
    slot.dirty = false;
    slot.connection.flush(*this);
    update_interest(slot);
  }
  dirty_.clear();
}

void Worker::advance_schedule(Clock::time_point now) {
  const std::uint64_t due = schedule_.due_by(now);
  if (due <= due_) return;
  const std::uint64_t previous = due_;
  due_ = due;
  const std::uint64_t count = publishers_.size();
  if (count == 0) return;
  if (due - previous >= count) {
    for (const std::uint32_t index : publishers_) publish_due(slots_[index], now);
    return;
  }
  for (std::uint64_t j = previous; j < due; ++j) publish_due(slots_[publishers_[j % count]], now);
}

void Worker::publish_due(Slot& slot, Clock::time_point now) {
  BenchConnection& connection = slot.connection;
  if (!publishing_ || !connection.ready()) return;
  const bool paced = schedule_.paced();
  const std::uint64_t quota = paced ? schedule_.due_for(slot.publisher_index, due_)
                                    : schedule_.quota_for(slot.publisher_index);
  std::uint64_t batch = paced || plan_.qos > 0 ? OpenLoopSchedule::kUnlimited : kUnpacedBatch;
  bool queued = false;
  while (slot.sent < quota && batch-- > 0 && (plan_.qos == 0 || connection.window_open()) &&
         connection.buffered_bytes() < kMaxBufferedPerClient) {
    const Clock::time_point intended = paced ? schedule_.intended_time(slot.publisher_index, slot.sent) : now;
    if (intended >= control_.publish_until) break;
    const std::int64_t intended_ns =
        control_.measure_from_real_ns +
        std::chrono::duration_cast<std::chrono::nanoseconds>(intended - control_.measure_from).count();
    encode_into({payload_.data(), payload_.size()}, {slot.plan.number, slot.sent, intended_ns});
    if (plan_.random_topics) connection.publish(expand_random(slot.plan.topic, random_), payload_, plan_.qos);
    else connection.publish(slot.plan.topic, payload_, plan_.qos);
    ++slot.sent;
    queued = true;
    if (intended >= control_.measure_from) {
      stats_.sent.fetch_add(1, std::memory_order_relaxed);
      if (plan_.qos == 0) stats_.acked.fetch_add(1, std::memory_order_relaxed);
    } else if (plan_.qos > 0) {
      ++slot.warmup_inflight;
    }
  }
  if (queued) mark_dirty(slot);
  if (!paced && plan_.qos == 0 && slot.sent < quota && !slot.runnable) {
    slot.runnable = true;
    runnable_.push_back(slot.connection.slot());
  }
}

void Worker::housekeeping(Clock::time_point now) {
  next_housekeeping_ = now + kHousekeepingInterval;
  // Pings as paho does: after 3/4 keepalive without writing, or without hearing from the broker
  // (a QoS 0 publisher writes all the time and hears nothing). A broker silent for the core's
  // stall limit (1.5x keepalive, core/liveness_watch.hpp) has stopped answering those pings.
  const auto keepalive = std::chrono::seconds(settings_.keepalive_s) * 3 / 4;
  const auto silence_limit =
      detail::LivenessWatch::silence_limit(std::chrono::seconds(settings_.keepalive_s));
  for (Slot& slot : slots_) {
    BenchConnection& connection = slot.connection;
    const auto state = connection.state();
    const bool ready = state == BenchConnection::State::ready && settings_.keepalive_s > 0;
    if (slot.connecting && connection.fd() >= 0 && now - connection.opened_at() > plan_.connect_timeout) {
      connection.close();
      on_closed(connection, ErrorKind::connect_timeout, "no CONNACK within the connect timeout");
    } else if (ready && now - connection.last_read() >= silence_limit) {
      connection.close();
      const auto silent = std::chrono::duration_cast<std::chrono::seconds>(now - connection.last_read());
      on_closed(connection, ErrorKind::connection_lost,
                "the broker sent nothing for " + std::to_string(silent.count()) + " s (keepalive " +
                    std::to_string(settings_.keepalive_s) + " s): connection stalled");
    } else if (ready && (now - connection.last_write() >= keepalive ||
                         (now - connection.last_read() >= keepalive &&
                          now - connection.last_ping() >= keepalive))) {
      connection.ping();
      mark_dirty(slot);
    } else if (state == BenchConnection::State::closed && slot.reopen_at <= now &&
               connecting_ < plan_.max_connecting && !control_.finish.load(std::memory_order_relaxed)) {
      slot.reopen_at = Clock::time_point::max();
      stats_.reconnects.fetch_add(1, std::memory_order_relaxed);
      open(slot, now);
    }
  }
}

void Worker::settle(Slot& slot) {
  if (slot.settled) return;
  slot.settled = true;
  if (++settled_ == slots_.size()) {
    stats_.setup_finished_ns = since_began(Clock::now());
    stats_.setup_done = true;
  }
}

void Worker::check_publishing_done() {
  if (stats_.publishing_done.load(std::memory_order_relaxed)) return;
  if (!control_.publish.load(std::memory_order_acquire)) return;
  const bool stopped = control_.stop_publishing.load(std::memory_order_relaxed) ||
                       Clock::now() >= control_.publish_until;
  for (const std::uint32_t index : publishers_) {
    const Slot& slot = slots_[index];
    if (slot.gave_up) continue;
    const bool live = slot.connection.ready();
    if (live && slot.connection.inflight() > 0) return;
    if (!stopped && slot.sent < schedule_.quota_for(slot.publisher_index)) return;
    if (live && slot.connection.has_output()) return;
  }
  stats_.publishing_done = true;
}

void Worker::hand_over_latency() {
  if (latency_interval_.empty()) return;
  const std::lock_guard lock(stats_.mutex);
  stats_.interval_latency.merge(latency_interval_);
  latency_interval_.reset();
}

void Worker::disconnect_all() {
  for (Slot& slot : slots_) {
    if (!slot.connection.ready()) continue;
    slot.connection.disconnect();
    slot.connection.flush(*this);
  }
  for (Slot& slot : slots_) slot.connection.close();
}

void Worker::on_connected(BenchConnection& connection, const Connack&) {
  Slot& slot = slots_[connection.slot()];
  const Clock::time_point now = Clock::now();
  slot.connecting = false;
  --connecting_;
  slot.live = true;
  connect_times_.record(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(now - connection.opened_at()).count()));
  stats_.connected_now.fetch_add(1, std::memory_order_relaxed);
  if (!slot.ever_connected) {
    slot.ever_connected = true;
    stats_.ever_connected.fetch_add(1, std::memory_order_relaxed);
  }
  if (slot.plan.role == ClientRole::subscriber) {
    connection.subscribe(slot.plan.topic, plan_.qos);
    mark_dirty(slot);
    return;
  }
  settle(slot);
  if (slot.plan.role == ClientRole::publisher) publish_due(slot, now);
}

void Worker::on_subscribed(BenchConnection& connection, std::uint8_t code) {
  Slot& slot = slots_[connection.slot()];
  if (code >= 0x80) {
    count_error(ErrorKind::subscribe_refused, "SUBACK " + std::to_string(code) + " for '" + slot.plan.topic + "'");
    connection.close();
    slot.live = false;
    stats_.connected_now.fetch_sub(1, std::memory_order_relaxed);
    slot.gave_up = true;
  } else {
    slot.subscribed = true;
  }
  settle(slot);
}

void Worker::on_message(BenchConnection& connection, const IncomingPublish& message) {
  const std::optional<PayloadHeader> header = decode(message.payload);
  if (!header) return;  // not a bench message (someone else publishing on the topic)
  Slot& slot = slots_[connection.slot()];
  if (!plan_.shared_subscription) {
    auto [tracker, added] = slot.trackers.try_emplace(header->publisher_id);
    if (added && plan_.sequences_from_first_seen) tracker->second = SequenceTracker::start_at_first_seen();
    if (tracker->second.record(header->sequence) == SequenceTracker::Arrival::duplicate) return;
  }
  const std::int64_t now_real = realtime_ns();
  const std::int64_t now_steady = since_began(Clock::now());
  stats_.last_receive_ns.store(now_steady, std::memory_order_relaxed);
  if (!control_.publish.load(std::memory_order_acquire) || header->intended_send_ns < control_.measure_from_real_ns)
    return;
  if (stats_.first_receive_ns.load(std::memory_order_relaxed) == 0)
    stats_.first_receive_ns.store(now_steady, std::memory_order_relaxed);
  stats_.received.fetch_add(1, std::memory_order_relaxed);
  const std::uint64_t latency = latency_us(*header, now_real);
  latency_total_.record(latency);
  latency_interval_.record(latency);
}

void Worker::on_acked(BenchConnection& connection, std::uint8_t reason) {
  Slot& slot = slots_[connection.slot()];
  if (reason >= 0x80) count_error(ErrorKind::publish_refused, "PUBACK reason " + std::to_string(reason));
  if (slot.warmup_inflight > 0) --slot.warmup_inflight;
  else stats_.acked.fetch_add(1, std::memory_order_relaxed);
  stats_.last_ack_ns.store(since_began(Clock::now()), std::memory_order_relaxed);
  // Unpaced, the window is refilled once half of it is free: one write for many publishes
  // instead of one per acknowledgement.
  if (publishing_ && (schedule_.paced() || connection.inflight() * 2 <= connection.window()))
    publish_due(slot, Clock::now());
}

void Worker::on_closed(BenchConnection& connection, ErrorKind kind, const std::string& detail) {
  Slot& slot = slots_[connection.slot()];
  slot.events = 0;
  if (slot.connecting) {
    slot.connecting = false;
    --connecting_;
  }
  if (slot.live) {
    slot.live = false;
    stats_.connected_now.fetch_sub(1, std::memory_order_relaxed);
  }
  slot.subscribed = false;
  slot.warmup_inflight = 0;
  count_error(kind, detail);
  if (control_.finish.load(std::memory_order_relaxed)) return;
  if (slot.ever_connected && kind != ErrorKind::subscribe_refused) {
    slot.reopen_at = Clock::now() + plan_.reconnect_delay;
  } else {
    slot.gave_up = true;
    settle(slot);
  }
}

void Worker::count_error(ErrorKind kind, const std::string& detail) {
  ++errors_by_kind_[static_cast<std::size_t>(kind)];
  stats_.errors.fetch_add(1, std::memory_order_relaxed);
  if (first_error_.empty()) first_error_ = std::string(to_string(kind)) + ": " + detail;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> Worker::published_counts() const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> counts;
  for (const std::uint32_t index : publishers_) counts.emplace_back(slots_[index].plan.number, slots_[index].sent);
  return counts;
}

void Worker::finalize_sequences(const std::unordered_map<std::uint64_t, std::uint64_t>& published) {
  sequence_counts_.clear();
  for (const Slot& slot : slots_) {
    for (const auto& [publisher, tracker] : slot.trackers) {
      const auto it = published.find(publisher);
      sequence_counts_[publisher] +=
          tracker.counts(it == published.end() ? std::nullopt : std::optional<std::uint64_t>(it->second));
    }
  }
}

}  // namespace mqtk::bench
