// `mqtk sub` beyond mosquitto_sub: --until stop conditions, overlapping filters printed once
// (MQTT 5), and the queue between the network and a slow stdout (--queue, --priority,
// --max-queued, --overflow). The slow reader is a FIFO as stdout that the test fills to capacity
// before mqtk starts and drains only once the publisher is done: mqtk's first write blocks, so
// after that first batch (at most 9 of the 8 KB payloads: the writer's 64 KB buffer) everything
// waits in, or is dropped from, the queue.

#include "cli/sub_harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <poll.h>
#include <regex>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

using namespace mqtk::test;
using namespace mqtk::test::sub;

namespace {

constexpr std::size_t payload_size = 8000;

// "<prefix><nn> 000…" lines of payload_size bytes for mosquitto_pub -l, numbered from 1.
std::string numbered_lines(const std::string& prefix, int count) {
  std::string text;
  for (int i = 1; i <= count; ++i) {
    char number[16];
    std::snprintf(number, sizeof number, "%02d", i);
    std::string line = prefix + number + " ";
    line.resize(payload_size, '0');
    text += line + "\n";
  }
  return text;
}

// The "<prefix><nn>" labels of printed payloads, in order.
std::vector<std::string> labels(const std::string& out) {
  std::vector<std::string> result;
  for (const std::string& line : lines_of(out)) result.push_back(line.substr(0, line.find(' ')));
  return result;
}

std::string label(const std::string& prefix, int n) {
  char number[16];
  std::snprintf(number, sizeof number, "%02d", n);
  return prefix + number;
}

// The number in mqtk's "N message(s) dropped" warning; -1 when there is none.
long dropped_count(const std::string& err) {
  static const std::regex dropped(R"((\d+) message\(s\) dropped)");
  std::smatch match;
  if (!std::regex_search(err, match, dropped)) return -1;
  return std::stol(match[1].str());
}

// Waits until the broker has sent `id` `count` PUBLISH packets, so they are all on their way to
// (or in) mqtk before the test drains its stdout; then a moment for the last ones to cross the
// loopback socket into mqtk's queue. (A settling pause, not a timing assertion.)
void wait_until_sent(const BrokerFixture& broker, const std::string& id, std::size_t count) {
  REQUIRE_MESSAGE(wait_for_log_count(broker, "Sending PUBLISH to " + id + " (", count, 20s),
                  "the broker did not send all " << count << " messages");
  std::this_thread::sleep_for(300ms);
}

// The most messages mqtk can print before its first write blocks: its write buffer takes
// messages until it holds more than 64 KB.
constexpr std::size_t first_batch_max = 64 * 1024 / payload_size + 1;

// `mqtk sub` with a FIFO as stdout that is full before mqtk starts, so its first write blocks
// until drain() reads. stderr stays a pipe (ChildProcess).
class BlockedReader {
 public:
  BlockedReader(const BrokerFixture& broker, const std::string& id,
                const std::vector<std::string>& args) {
    const std::string fifo = (dir_.path() / "stdout").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    reader_.reset(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    REQUIRE(reader_);
    {
      const UniqueFd filler(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
      REQUIRE(filler);
      const std::string block(4096, 'f');
      for (;;) {
        const ssize_t n = ::write(filler.get(), block.data(), block.size());
        if (n <= 0) break;
        filler_bytes_ += static_cast<std::size_t>(n);
      }
      REQUIRE(errno == EAGAIN);
    }
    const std::size_t before = count_of(broker.log(), suback_line(id));
    mqtk_.start(joined({"sh", "-c", R"(out="$1"; shift; exec "$@" > "$out")", "sh", fifo},
                       sub_argv(broker, id, args)));
    REQUIRE_MESSAGE(wait_for_log_count(broker, suback_line(id), before + 1),
                    "mqtk sub did not subscribe: " << describe(mqtk_.wait(1s)));
  }

  // Reads stdout until `lines` lines (or the line starting with `last`) came, or nothing came
  // for 2 s; then stops mqtk (SIGINT), reads the rest and returns all of it with the exit
  // status and stderr.
  ProcessResult drain(std::size_t lines, const std::string& last = "") {
    auto idle_since = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - idle_since < 2s) {
      if (read_some(100ms)) idle_since = std::chrono::steady_clock::now();
      const std::string text = printed();
      if (count_of(text, "\n") >= lines) break;
      if (!last.empty() && (text.starts_with(last + " ") || contains(text, "\n" + last + " ")))
        break;
    }
    mqtk_.signal(SIGINT);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (mqtk_.running() && std::chrono::steady_clock::now() < deadline) read_some(50ms);
    while (read_some(0ms)) {
    }
    ProcessResult result = mqtk_.wait(5s);
    result.out = printed();
    return result;
  }

 private:
  bool read_some(std::chrono::milliseconds timeout) {
    pollfd ready{reader_.get(), POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buffer[65536];
    const ssize_t n = ::read(reader_.get(), buffer, sizeof buffer);
    if (n <= 0) return false;
    data_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  std::string printed() const {
    return data_.size() > filler_bytes_ ? data_.substr(filler_bytes_) : "";
  }

  TempDir dir_{"mqtk-fifo"};
  UniqueFd reader_;
  std::size_t filler_bytes_ = 0;
  std::string data_;
  ChildProcess mqtk_;
};

}  // namespace

TEST_CASE("--until 'topic:FILTER' stops after the first message on a matching topic") {
  BrokerFixture broker;
  ChildProcess mqtk =
      start_sub(broker, unique_id("ut"), {"-t", "u/#", "-v", "--until", "topic:u/done/+"});
  publish(broker, {"-t", "u/a", "-m", "1"});
  publish(broker, {"-t", "u/done", "-m", "2"});  // u/done/+ needs one more level
  publish(broker, {"-t", "u/done/x", "-m", "3"});
  publish(broker, {"-t", "u/b", "-m", "after"});
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out == "u/a 1\nu/done 2\nu/done/x 3\n");
}

TEST_CASE("--until '.field=VALUE' compares a JSON field; && needs every condition") {
  BrokerFixture broker;
  SUBCASE(".path=VALUE") {
    ChildProcess mqtk =
        start_sub(broker, unique_id("uf"), {"-t", "u/#", "--until", ".job.state=done"});
    publish(broker, {"-t", "u/1", "-m", R"({"job":{"state":"running"}})"});
    publish(broker, {"-t", "u/2", "-m", "not json"});
    publish(broker, {"-t", "u/3", "-m", R"({"job":{"state":"done"}})"});
    publish(broker, {"-t", "u/4", "-m", "after"});
    const ProcessResult result = mqtk.wait(20s);
    INFO(describe(result));
    CHECK(result.exit_code == 0);
    CHECK(result.out ==
          "{\"job\":{\"state\":\"running\"}}\nnot json\n{\"job\":{\"state\":\"done\"}}\n");
  }
  SUBCASE("numbers and &&") {
    ChildProcess mqtk =
        start_sub(broker, unique_id("ua"), {"-t", "u/#", "-v", "--until", "topic:u/end && .n=3"});
    publish(broker, {"-t", "u/end", "-m", R"({"n":2})"});
    publish(broker, {"-t", "u/other", "-m", R"({"n":3})"});
    publish(broker, {"-t", "u/end", "-m", R"({"n":"3"})"});  // a string is not the number 3
    publish(broker, {"-t", "u/end", "-m", R"({"n":3})"});
    publish(broker, {"-t", "u/end", "-m", "after"});
    const ProcessResult result = mqtk.wait(20s);
    INFO(describe(result));
    CHECK(result.exit_code == 0);
    CHECK(result.out ==
          "u/end {\"n\":2}\nu/other {\"n\":3}\nu/end {\"n\":\"3\"}\nu/end {\"n\":3}\n");
  }
  SUBCASE("a bad expression is a usage error") {
    for (const char* bad : {"state=done", "topic:a/#/b", ".a", ".a..b=1", ""}) {
      CAPTURE(bad);
      const ProcessResult result = run_mqtk({"sub", "-p", "1", "-t", "u/#", "--until", bad});
      CHECK(result.exit_code == 2);
      CHECK(contains(result.err, "--until"));
    }
  }
}

TEST_CASE("overlapping filters print each message once with -V 5, twice with --no-dedupe") {
  BrokerFixture broker;
  SUBCASE("deduplicated") {
    ChildProcess mqtk = start_sub(broker, unique_id("dd"),
                                  {"-V", "5", "-t", "o/#", "-t", "o/+", "-v", "-C", "3"}, 2);
    publish(broker, {"-t", "o/a", "-m", "both filters"});
    publish(broker, {"-t", "o/a/b", "-m", "only o/#"});
    publish(broker, {"-t", "o/c", "-m", "both again"});
    const ProcessResult result = mqtk.wait(20s);
    INFO(describe(result));
    CHECK(result.exit_code == 0);
    CHECK(result.out == "o/a both filters\no/a/b only o/#\no/c both again\n");
  }
  SUBCASE("a repeated -t is one subscription, not a duplicate of itself") {
    ChildProcess mqtk =
        start_sub(broker, unique_id("rep"),
                  {"-V", "5", "-t", "o/#", "-t", "o/+", "-t", "o/#", "-v", "-C", "2"}, 2);
    publish(broker, {"-t", "o/a", "-m", "x"});
    publish(broker, {"-t", "o/a/b", "-m", "y"});
    const ProcessResult result = mqtk.wait(20s);
    INFO(describe(result));
    CHECK(result.exit_code == 0);
    CHECK(result.out == "o/a x\no/a/b y\n");
  }
  SUBCASE("deduplicated --json shows no identifiers the user did not ask for") {
    ChildProcess mqtk = start_sub(broker, unique_id("ddj"),
                                  {"-V", "5", "-t", "o/#", "-t", "o/+", "--json", "-C", "1"}, 2);
    publish(broker, {"-t", "o/a", "-m", "x"});
    const ProcessResult result = mqtk.wait(20s);
    INFO(describe(result));
    CHECK(result.exit_code == 0);
    CHECK_FALSE(nlohmann::json::parse(result.out).contains("properties"));
  }
}

// BUG (src/core/client_subscribe.cpp, reported): two filters in one MQTT 5 SUBSCRIBE crash in
// MQTTAsync_subscribeMany (paho.mqtt.cpp 1.2.0 response_options copy drops the options list,
// paho.mqtt.cpp #524): `mqtk sub -V 5 -t a -t b --no-dedupe` dies with SIGSEGV.
TEST_CASE("--no-dedupe prints every copy the broker sends") {
  BrokerFixture broker;
  ChildProcess mqtk =
      start_sub(broker, unique_id("nd"),
                {"-V", "5", "-t", "o/#", "-t", "o/+", "--no-dedupe", "-v", "-C", "3"});
  publish(broker, {"-t", "o/a", "-m", "twice"});
  publish(broker, {"-t", "o/a/b", "-m", "once"});
  const ProcessResult result = mqtk.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out == "o/a twice\no/a twice\no/a/b once\n");
}

TEST_CASE("--queue lifo: what waited while stdout was blocked comes out newest first") {
  BrokerFixture broker;
  const std::string id = unique_id("lifo");
  const int total = 40;
  BlockedReader mqtk(broker, id, {"-t", "s", "--queue", "lifo"});
  publish(broker, {"-t", "s", "-l"}, numbered_lines("m", total));
  wait_until_sent(broker, id, total);
  const ProcessResult result = mqtk.drain(total);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  std::vector<std::string> got = labels(result.out);
  REQUIRE(got.size() == total);  // none lost
  // After the first batch everything waited in the queue and comes out newest first: the
  // newest message, then a strictly descending run to the end.
  const auto newest = std::find(got.begin(), got.end(), label("m", total));
  REQUIRE(newest != got.end());
  CHECK(std::adjacent_find(newest, got.end(), std::less_equal<>()) == got.end());
  CHECK(static_cast<std::size_t>(got.end() - newest) >= total - first_batch_max);
  std::sort(got.begin(), got.end());
  CHECK(std::adjacent_find(got.begin(), got.end()) == got.end());
}

TEST_CASE("--queue priority --priority FILTER serves those filters first") {
  BrokerFixture broker;
  const std::string id = unique_id("prio");
  BlockedReader mqtk(broker, id, {"-t", "p/#", "--queue", "priority", "--priority", "p/high"});
  publish(broker, {"-t", "p/low", "-l"}, numbered_lines("L", 40));
  publish(broker, {"-t", "p/high", "-l"}, numbered_lines("H", 3));
  wait_until_sent(broker, id, 43);
  const ProcessResult result = mqtk.drain(43);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  const std::vector<std::string> got = labels(result.out);
  REQUIRE(got.size() == 43);
  const auto h1 = std::find(got.begin(), got.end(), "H01");
  REQUIRE(got.end() - h1 >= 3);
  CHECK(*(h1 + 1) == "H02");
  CHECK(*(h1 + 2) == "H03");
  // The high-priority messages overtook the low ones that waited in the queue.
  CHECK(h1 + 3 != got.end());
  std::vector<std::string> low(got.begin(), h1);
  low.insert(low.end(), h1 + 3, got.end());
  CHECK(low.size() == 40);
  CHECK(std::adjacent_find(low.begin(), low.end(), std::greater_equal<>()) == low.end());
}

TEST_CASE("--max-queued with --overflow drop-oldest keeps the newest and reports the drops") {
  BrokerFixture broker;
  const std::string id = unique_id("dropold");
  const int total = 60;
  const int bound = 5;
  BlockedReader mqtk(
      broker, id, {"-t", "d", "--max-queued", std::to_string(bound), "--overflow", "drop-oldest"});
  publish(broker, {"-t", "d", "-l"}, numbered_lines("m", total));
  wait_until_sent(broker, id, total);
  const ProcessResult result = mqtk.drain(total, label("m", total));
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  const std::vector<std::string> got = labels(result.out);
  CHECK(std::adjacent_find(got.begin(), got.end(), std::greater_equal<>()) == got.end());
  REQUIRE(got.size() >= bound);
  CHECK(got.size() <= first_batch_max + bound);
  for (int i = 0; i < bound; ++i)  // the newest `bound`, in order, came out last
    CHECK(got[got.size() - bound + i] == label("m", total - bound + 1 + i));
  const long dropped = dropped_count(result.err);
  CHECK(dropped + static_cast<long>(got.size()) == total);
}

TEST_CASE("--max-queued with --overflow drop-newest keeps the oldest and reports the drops") {
  BrokerFixture broker;
  const std::string id = unique_id("dropnew");
  const int total = 60;
  const int bound = 5;
  BlockedReader mqtk(
      broker, id, {"-t", "d", "--max-queued", std::to_string(bound), "--overflow", "drop-newest"});
  publish(broker, {"-t", "d", "-l"}, numbered_lines("m", total));
  wait_until_sent(broker, id, total);
  const ProcessResult result = mqtk.drain(total);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  const std::vector<std::string> got = labels(result.out);
  CHECK(std::adjacent_find(got.begin(), got.end(), std::greater_equal<>()) == got.end());
  REQUIRE(got.size() >= bound);
  CHECK(got.size() <= first_batch_max + bound);
  CHECK(got.front() == "m01");  // the queue was empty when it came: never dropped
  const long dropped = dropped_count(result.err);
  CHECK(dropped + static_cast<long>(got.size()) == total);
}

TEST_CASE("queue flags are checked before connecting") {
  const std::vector<std::vector<std::string>> bad{{"--queue", "random"},
                                                  {"--overflow", "drop-all"},
                                                  {"--max-queued", "-1"},
                                                  {"--priority", "a/#"},
                                                  {"--queue", "priority", "--priority", "a/#/b"}};
  for (const auto& flags : bad) {
    CAPTURE(flags.back());
    const ProcessResult result = run_mqtk(joined({"sub", "-p", "1", "-t", "a"}, flags));
    CHECK(result.exit_code == 2);
  }
}

// -C reached while the engine waits for room in a full --overflow block queue: disconnecting
// must not wait for that room (it used to hang mqtk's own engine, whose network thread was
// joined while blocked on the queue).
TEST_CASE("-C with a full blocking queue still exits at once") {
  BrokerFixture broker;
  const std::string id = unique_id("fullblock");
  ChildProcess mqtk = start_sub(broker, id, {"-t", "f", "-C", "1", "--max-queued", "1", "--overflow", "block"});
  publish(broker, {"-t", "f", "-l"}, numbered_lines("m", 200));
  const ProcessResult result = mqtk.wait(15s);
  INFO(describe(result));
  CHECK_FALSE(result.timed_out);
  CHECK(result.exit_code == 0);
  CHECK(labels(result.out) == std::vector<std::string>{label("m", 1)});
}
