// The work of `mqtk pub`: resolve flags, read a whole payload before connecting (so bad input
// exits 2 without touching the broker), connect, publish, then wait for every QoS>0
// acknowledgement. Stream sources (-l, --jsonl) publish each line as it arrives; the client's
// in-flight window makes a fast stdin wait for the network instead of filling memory.

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "cli/client_events.hpp"
#include "cli/command.hpp"
#include "cli/line_reader.hpp"
#include "cli/output/json_format.hpp"
#include "cli/payload.hpp"
#include "cli/pub_options.hpp"
#include "core/client.hpp"
#include "core/error.hpp"
#include "core/topic.hpp"

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
  return fd;
}

// Rough size of the PUBLISH packet, to compare with the broker's v5 Maximum Packet Size.
std::size_t packet_size(const Message& m) {
  std::size_t size = 2 + m.topic.size() + m.payload.size() + (m.qos > 0 ? 2 : 0) + 5;
  for (const auto& [k, v] : m.properties.user_properties) size += 5 + k.size() + v.size();
  if (m.properties.content_type) size += 3 + m.properties.content_type->size();
  if (m.properties.response_topic) size += 3 + m.properties.response_topic->size();
  if (m.properties.correlation_data) size += 3 + m.properties.correlation_data->size();
  return size;
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
  if (!base.topic.empty())
    if (std::string problem = topic_name_problem(base.topic); !problem.empty())
      throw UsageError("-t '" + base.topic + "': " + problem);
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

  Client client(resolved.client);
  std::atomic<std::size_t> refused{0};
  client.set_event_handler([&refused](const ClientEvent& event) {
    if (event.kind == ClientEventKind::publish_dropped) ++refused;
    log_client_event(event);
  });
  context.signals.on_signal([&input](int) { input.wake(); });
  spdlog::info("connecting to {} as {}", display_uri(resolved.client.broker), client.client_id());
  const ConnectResult connack = client.connect();
  const std::optional<std::uint32_t> max_packet = connack.maximum_packet_size;

  std::size_t published = 0;
  std::optional<ExitCode> failure;
  auto send = [&](Message message, const std::string& where) {
    if (max_packet && packet_size(message) > *max_packet)
      throw Error(ErrorCategory::runtime,
                  where + "payload of " + std::to_string(message.payload.size()) +
                      " bytes exceeds the broker's maximum packet size of " +
                      std::to_string(*max_packet) + " bytes");
    client.publish(std::move(message));
    ++published;
  };

  if (!stream) {
    for (long long i = 0; i < o.repeat && !input.woken(); ++i) {
      if (i > 0 && repeat_delay.count() > 0 && !input.sleep_for(repeat_delay)) break;
      send(base, "");
    }
  } else {
    std::vector<Message> recorded;  // --loop replays from memory
    std::optional<std::chrono::system_clock::time_point> first_capture;
    Clock::time_point first_wall;
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
            if (std::string problem = topic_name_problem(next->topic); !problem.empty())
              throw UsageError("topic '" + next->topic + "': " + problem);
          } else {
            next = base;
            next->payload = std::move(*line);
          }
          if (p.validate_json) validate_json_payload(next->payload, "payload");
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
          first_capture.reset();
        }
        next = recorded[replay_index++];
      }
      if (o.replay_timing && next->received_at) {
        if (!first_capture) {
          first_capture = next->received_at;
          first_wall = Clock::now();
        } else {
          const auto offset = std::chrono::duration_cast<milliseconds>(
              (*next->received_at - *first_capture) / o.speed);
          const auto due = first_wall + offset;
          const auto wait = std::chrono::duration_cast<milliseconds>(due - Clock::now());
          if (wait.count() > 0 && !input.sleep_for(wait)) break;
        }
      }
      next->received_at.reset();
      send(std::move(*next), where);
    }
  }

  spdlog::info("{} message(s) handed to the client; waiting for acknowledgements", published);
  ExitCode code = failure.value_or(ExitCode::ok);
  if (const int signal = context.signals.received())
    code = signal == SIGTERM ? ExitCode::terminated : ExitCode::interrupted;
  if (refused > 0) {
    spdlog::error("{} message(s) refused by the broker", refused.load());
    if (code == ExitCode::ok) code = ExitCode::runtime;
  }
  return finish_client(client, code, ack_timeout);
}

}  // namespace mqtk::cli
