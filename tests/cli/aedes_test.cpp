// sub, pub and rr against aedes, a second and independent broker (MQTT 3.1.1 only), so mqtk
// depends on no mosquitto quirk: every message is published by `mqtk pub` and checked on what
// `mqtk sub` prints. Skipped, with a message saying why, when node or aedes is not installed.

#include <doctest/doctest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/aedes_fixture.hpp"
#include "support/process.hpp"

using namespace mqtk::test;
using namespace std::chrono_literals;

namespace {

bool skip_without_aedes() {
  const std::optional<std::string> reason = AedesFixture::unavailable_reason();
  if (reason) MESSAGE("skipping the aedes tests: " << *reason);
  return reason.has_value();
}

// ARGS with the broker's -h and -p after COMMAND, for run_mqtk.
std::vector<std::string> with_broker(const AedesFixture& broker, const char* command,
                                     const std::vector<std::string>& args) {
  std::vector<std::string> argv{command, "-h", broker.host(), "-p", std::to_string(broker.port())};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The same with the binary first, for ChildProcess.
std::vector<std::string> mqtk_argv(const AedesFixture& broker, const char* command,
                                   const std::vector<std::string>& args) {
  std::vector<std::string> argv = with_broker(broker, command, args);
  argv.insert(argv.begin(), mqtk_binary_path());
  return argv;
}

// Starts `mqtk sub -i ID ARGS...` and waits until aedes has registered one more subscription
// for ID, so what is published next reaches it.
ChildProcess start_sub(const AedesFixture& broker, const std::string& id,
                       std::vector<std::string> args) {
  const std::string subscribed = "subscribed " + id + " ";
  std::size_t before = 0;
  const std::string log = broker.log();
  for (auto at = log.find(subscribed); at != std::string::npos; at = log.find(subscribed, at + 1))
    ++before;
  args.insert(args.begin(), {"-i", id});
  ChildProcess child(mqtk_argv(broker, "sub", args));
  if (!broker.wait_for_log(subscribed, before + 1)) {
    const ProcessResult early = child.wait(1s);
    FAIL("mqtk sub did not subscribe: " << describe(early) << "\n--- aedes log ---\n"
                                        << broker.log());
  }
  return child;
}

void publish(const AedesFixture& broker, const std::vector<std::string>& args,
             std::string_view stdin_data = {}) {
  const ProcessResult result = run_mqtk(with_broker(broker, "pub", args), stdin_data);
  REQUIRE_MESSAGE(result.ok(), "mqtk pub failed: " << describe(result));
}

}  // namespace

TEST_CASE("aedes: pub -m, -f and -l at QoS 0, 1 and 2 reach sub -v -C in order") {
  if (skip_without_aedes()) return;
  AedesFixture broker;
  TempDir dir;
  const auto file = dir.write_file("payload.bin", std::string("file\0body\r\n", 11));
  for (const std::string qos : {"0", "1", "2"}) {
    CAPTURE(qos);
    ChildProcess sub =
        start_sub(broker, "aedes-sub-q" + qos, {"-t", "q/#", "-q", "2", "-v", "-C", "5"});
    publish(broker, {"-t", "q/m", "-q", qos, "-m", "message " + qos});
    publish(broker, {"-t", "q/f", "-q", qos, "-f", file.string()});
    publish(broker, {"-t", "q/l", "-q", qos, "-l"}, "one\ntwo\nthree without newline");
    const ProcessResult result = sub.wait(20s);
    INFO(describe(result));
    CHECK(result.exit_code == 0);
    CHECK(result.out == "q/m message " + qos + "\nq/f " + std::string("file\0body\r\n", 11) +
                            "\nq/l one\nq/l two\nq/l three without newline\n");
  }
}

TEST_CASE("aedes: --json shows a retained message to a later subscriber, then a live one") {
  if (skip_without_aedes()) return;
  AedesFixture broker;
  publish(broker, {"-t", "j/state", "-q", "1", "-r", "-m", R"({"state":"on","n":[1,2]})"});
  ChildProcess sub =
      start_sub(broker, "aedes-json", {"-t", "j/#", "-q", "1", "--json", "-C", "2"});
  publish(broker, {"-t", "j/live", "-q", "1", "-m", std::string("bin\xff", 4)});
  const ProcessResult result = sub.wait(20s);
  INFO(describe(result));
  REQUIRE(result.exit_code == 0);
  const auto newline = result.out.find('\n');
  REQUIRE(newline != std::string::npos);
  const auto retained = nlohmann::json::parse(result.out.substr(0, newline));
  const auto live = nlohmann::json::parse(result.out.substr(newline + 1));
  CHECK(retained["topic"] == "j/state");
  CHECK(retained["payload"] == nlohmann::json::parse(R"({"state":"on","n":[1,2]})"));
  CHECK(retained["payload_encoding"] == "json");
  CHECK(retained["qos"] == 1);
  CHECK(retained["retain"] == true);
  CHECK(live["topic"] == "j/live");
  CHECK(live["payload"] == "Ymlu/w==");
  CHECK(live["payload_encoding"] == "base64");
  CHECK(live["retain"] == false);
}

TEST_CASE("aedes: a persistent session (-c -i) receives the QoS 1 messages sent while away") {
  if (skip_without_aedes()) return;
  AedesFixture broker;
  const std::string id = "aedes-session";
  const ProcessResult setup = run_mqtk(
      with_broker(broker, "sub", {"-i", id, "-c", "-q", "1", "-t", "s/#", "-E"}));
  REQUIRE_MESSAGE(setup.ok(), describe(setup));
  REQUIRE(broker.wait_for_log("disconnected " + id));
  publish(broker, {"-t", "s/queued", "-q", "1", "-l"}, "1\n2\n3\n");
  ChildProcess sub(
      mqtk_argv(broker, "sub", {"-i", id, "-c", "-q", "1", "-t", "s/#", "-v", "-C", "3"}));
  const ProcessResult result = sub.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out == "s/queued 1\ns/queued 2\ns/queued 3\n");
}

TEST_CASE("aedes: --until stops at the first message that matches") {
  if (skip_without_aedes()) return;
  AedesFixture broker;
  ChildProcess sub = start_sub(broker, "aedes-until",
                               {"-t", "jobs/#", "-q", "1", "-v", "--until", ".state=done"});
  publish(broker, {"-t", "jobs/1", "-q", "1", "-m", R"({"state":"running"})"});
  publish(broker, {"-t", "jobs/1", "-q", "1", "-m", R"({"state":"done"})"});
  const ProcessResult result = sub.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out == "jobs/1 {\"state\":\"running\"}\njobs/1 {\"state\":\"done\"}\n");
}

TEST_CASE("aedes: MQTT 5 is refused with CONNACK 0x84, named on stderr, exit 3") {
  if (skip_without_aedes()) return;
  AedesFixture broker;
  const std::vector<std::vector<std::string>> commands{
      with_broker(broker, "pub", {"-V", "5", "-t", "v5/x", "-m", "refused"}),
      with_broker(broker, "sub", {"-V", "5", "-t", "v5/#", "-C", "1", "--no-reconnect"}),
      with_broker(broker, "rr", {"-t", "v5/req", "-e", "v5/resp", "-m", "refused"}),
      with_broker(broker, "conn", {"-V", "5"}),
  };
  for (const auto& argv : commands) {
    CAPTURE(argv[0]);
    const ProcessResult result = run_mqtk(argv);
    INFO(describe(result));
    CHECK(result.exit_code == 3);
    CHECK(result.out.empty());
    CHECK(result.err.find("0x84") != std::string::npos);
    CHECK(result.err.find('\n') == result.err.size() - 1);  // one line
  }
}
