// The work of `mqtk pub`: resolve flags, read a whole payload before connecting (so bad input
// exits 2 without touching the broker), connect, publish, then wait for every QoS>0
// acknowledgement. Stream sources (-l, --jsonl) publish each line as it arrives; the client's
// in-flight window makes a fast stdin wait for the network instead of filling memory.

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <future>
#include <mutex>
#include <stop_token>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "cli/client_events.hpp"
#include "cli/command.hpp"
#include "cli/line_reader.hpp"
#include "cli/output/json_format.hpp"
#include "cli/payload.hpp"
#include "cli/pub_direct.hpp"
#include "cli/pub_options.hpp"
#include "cli/publish_size_limit.hpp"
#include <mqtk/client.hpp>
#include <mqtk/error.hpp>
#include <mqtk/topic.hpp>

namespace mqtk::cli {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds seconds_flag(const char* flag, double seconds, bool allow_zero) {
  if (seconds < 0 || (!allow_zero && seconds == 0) || seconds > 31536000)
    throw UsageError(std::string(flag) + " must be " + (allow_zero ? "0 or more" : "more than 0") +
                     " seconds");
  return milliseconds(static_cast<long long>(seconds * 1000));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ > 2) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

int open_input(const PayloadFlags& p) {
  if (!(p.jsonl && p.file)) return STDIN_FILENO;
  const int fd = ::open(p.file->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UsageError("-f '" + *p.file + "': " + std::strerror(errno));
  // Fix: a directory opens fine and only failed at the first read ("reading stdin: Is a
  // directory", exit 1); it is a usage error, as for -f without --jsonl.
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    throw UsageError("-f '" + *p.file + "': is a directory");
  }
  return fd;
}

// Fix: refusals used to be counted only from the client's publish_dropped events, which arrive
// on the client's worker thread, usually after finish_client() had already chosen exit 0, so a
// QoS 1 message the broker refused (v5 PUBACK 0x87) or lost with the connection exited 0. Each
// publish's own future says how it ended: they are checked in order as they complete (so at
// most the client's window and buffer are held) and at the end, before choosing the exit code.
class PublishOutcomes {
 public:
  void add(std::future<PublishResult> outcome) {
    pending_.push_back(std::move(outcome));
    while (!pending_.empty() &&
           pending_.front().wait_for(milliseconds(0)) == std::future_status::ready)
      take_front();
  }
  // Waits until `deadline` for the outstanding ones; those still open are left to
  // finish_client(), which counts them as not acknowledged.
  void wait_until(Clock::time_point deadline) {
    while (!pending_.empty() && pending_.front().wait_until(deadline) == std::future_status::ready)
      take_front();
  }
  std::size_t failed() const noexcept { return failed_; }

 private:
  void take_front() {
    try {
      pending_.front().get();
    } catch (const std::exception& error) {
      ++failed_;
      spdlog::error("{}", error.what());
    }
    pending_.pop_front();
  }
  std::deque<std::future<PublishResult>> pending_;
  std::size_t failed_ = 0;
};

// Fix: errors used to quote the topic whole, so a 70,000-byte topic made a 70 KB "one-line"
// error and invalid UTF-8 went raw to the terminal; Topic's message cuts and escapes it.
void check_topic_name(const std::string& prefix, const std::string& topic) {
  try {
    static_cast<void>(Topic(topic));
  } catch (const UsageError& error) {
    throw UsageError(prefix + error.what());
  }
}

}  // namespace

ExitCode run_pub(const PubOptions& o, CommandContext& context) {
  ResolvedConnection resolved = resolve_client_options(o.connection, context.environment);
  const PayloadFlags& p = o.payload;
  check_payload_flags(p, true);
  Message base;
  if (o.topic) base.topic = *o.topic;
  else if (resolved.url_topic) base.topic = *resolved.url_topic;
  if (base.topic.empty() && !p.jsonl) throw UsageError("mqtk pub needs a topic (-t)");
  if (!base.topic.empty()) check_topic_name("-t: ", base.topic);
  base.qos = o.qos;
  base.retain = o.retain;
  base.properties = resolved.properties.publish;
  if (o.repeat < 1) throw UsageError("--repeat must be 1 or more");
  const milliseconds repeat_delay = seconds_flag("--repeat-delay", o.repeat_delay_s, true);
  const milliseconds ack_timeout = seconds_flag("--ack-timeout", o.ack_timeout_s, false);
  if (!(o.speed > 0)) throw UsageError("--speed must be more than 0");
  if ((o.replay_timing || o.loop) && !p.jsonl) throw UsageError("--replay-timing and --loop need --jsonl");
  const bool stream = p.stdin_line || p.jsonl;

  FileDescriptor input_fd(open_input(p));
  LineReader input(input_fd.get());
  if (!stream) base.payload = read_whole_payload(p, input);
  // One message to a plain TCP broker skips paho's start-up and teardown (pub_direct.hpp).
  const std::string not_direct = direct_path_refusal(o, resolved, base);
  if (not_direct.empty()) return run_direct_pub(resolved, base, ack_timeout, context);
  spdlog::debug("not on the one-shot direct path: {}", not_direct);

  Client client(resolved.client);
  client.set_event_handler([](const ClientEvent& event) {
    // Refusals are reported by PublishOutcomes, in order and surely before the exit.
    if (event.kind != ClientEventKind::publish_dropped) log_client_event(event);
  });
  // Fix: a signal only woke the stdin reader, so SIGINT/SIGTERM while publish() waited for room
  // in the in-flight window (a stalled broker) hung until the broker answered. A signal now also
  // starts a watchdog that stops the client if the work has not ended --ack-timeout later: the
  // blocked publish returns and the missing acknowledgements are reported (exit 4).
  std::atomic<bool> gave_up{false};
  std::jthread watchdog;  // after `client`: joined before the client is destroyed
  const auto signal_registration = context.signals.on_signal([&](int) {
    input.wake();
    if (watchdog.joinable()) return;
    watchdog = std::jthread([&client, &gave_up, ack_timeout](std::stop_token stop) {
      std::mutex mutex;
      std::condition_variable_any never;
      std::unique_lock lock(mutex);
      never.wait_for(lock, stop, ack_timeout, [] { return false; });
      if (stop.stop_requested()) return;
      gave_up = true;
      client.stop();
    });
  });
  spdlog::info("connecting to {} as {}", display_uri(resolved.client.broker), client.client_id());
  const ConnectResult connack = client.connect();
  const std::optional<std::uint32_t> max_packet = connack.maximum_packet_size;

  std::size_t published = 0;
  PublishOutcomes outcomes;
  std::optional<ExitCode> failure;
  // False when the watchdog stopped the client after a signal.
  auto send = [&](Message message, const std::string& where, Write write = Write::now) {
    check_publish_size(message, max_packet, where);
    try {
      outcomes.add(client.publish(std::move(message), write));
    } catch (const Error&) {
      if (!gave_up) throw;
      return false;
    }
    ++published;
    return true;
  };

  if (!stream) {
    for (long long i = 0; i < o.repeat && !input.woken(); ++i) {
      if (i > 0 && repeat_delay.count() > 0 && !input.sleep_for(repeat_delay)) break;
      if (!send(base, "")) break;
    }
  } else {
    std::vector<Message> recorded;  // --loop replays from memory
    // The capture's first received_at and when it was replayed; unset until then.
    bool timing_started = false;
    std::chrono::system_clock::time_point first_capture{};
    Clock::time_point first_wall{};
    bool replaying = false;
    std::size_t replay_index = 0;
    for (;;) {
      std::optional<Message> next;
      std::string where;
      if (!replaying) {
        std::optional<std::string> line = input.next_line();
        if (!line) {
          if (!o.loop || input.woken() || recorded.empty()) break;
          replaying = true;
          continue;
        }
        where = "line " + std::to_string(input.line_number()) + ": ";
        try {
          if (p.jsonl) {
            next = from_json_line(*line, base);
            if (next->topic.empty()) throw UsageError("no topic in the record and no -t");
            check_topic_name("", next->topic);
          } else {
            next = base;
            next->payload = std::move(*line);
          }
          if (p.validate_json) validate_json_payload(next->payload, "");
        } catch (const UsageError& error) {
          if (o.on_error == "skip") {
            spdlog::warn("{}{} (skipped)", where, error.what());
            continue;
          }
          spdlog::error("{}{}", where, error.what());
          failure = ExitCode::usage;
          break;
        }
        if (o.loop) recorded.push_back(*next);
      } else {
        if (input.woken()) break;
        if (replay_index == recorded.size()) {
          replay_index = 0;
          timing_started = false;
        }
        next = recorded[replay_index++];
      }
      if (o.replay_timing && next->received_at) {
        if (!timing_started) {
          timing_started = true;
          first_capture = *next->received_at;
          first_wall = Clock::now();
        } else {
          const auto offset = std::chrono::duration_cast<milliseconds>(
              (*next->received_at - first_capture) / o.speed);
          const auto due = first_wall + offset;
          const auto wait = std::chrono::duration_cast<milliseconds>(due - Clock::now());
          if (wait.count() > 0 && !input.sleep_for(wait)) break;
        }
      }
      next->received_at.reset();
      // Lines already read go out together with the last of them, in one write; a line that
      // arrives alone (tail -f) is written at once.
      const bool more_at_hand = !replaying && !o.replay_timing && input.has_complete_line();
      if (!send(std::move(*next), where, more_at_hand ? Write::batched : Write::now)) break;
    }
    client.flush();  // a line left batched by a break
  }

  spdlog::info("{} message(s) handed to the client; waiting for acknowledgements", published);
  const auto ack_deadline = Clock::now() + (gave_up ? milliseconds(0) : ack_timeout);
  outcomes.wait_until(ack_deadline);
  ExitCode code = failure.value_or(ExitCode::ok);
  if (const int signal = context.signals.received())
    code = exit_code_for_signal(signal);
  if (outcomes.failed() > 0) {
    // Each failure was already named; a count adds something only when there are several.
    if (outcomes.failed() > 1)
      spdlog::error("{} message(s) refused by the broker or not delivered", outcomes.failed());
    if (code == ExitCode::ok) code = ExitCode::runtime;
  }
  const auto grace = std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(
                                                   ack_deadline - Clock::now()));
  return finish_client(client, code, grace);
}

}  // namespace mqtk::cli
