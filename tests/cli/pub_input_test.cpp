// `mqtk pub` payload helpers (--format hex|base64, --size, --validate-json) and bad input: each
// gets its documented exit code and a one-line reason, never a crash, and whatever was sent
// before the bad part still arrives.

#include "cli/pub_harness.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mqtk::test;
using namespace mqtk::test::pub;

namespace {

// A usage error: exit 2, one line on stderr that contains `words`, no crash.
void check_usage_error(const ProcessResult& result, const std::string& words) {
  INFO(describe(result));
  CHECK(result.term_signal == 0);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, words));
  CHECK(result.err.size() < 400);
  CHECK(result.out.empty());
}

}  // namespace

TEST_CASE("-m with --format hex|base64 sends the exact bytes; --size N sends N bytes") {
  BrokerFixture broker;
  ChildProcess receiver = start_receiver(broker, {"-t", "h/#", "-C", "5", "-F", "%t %l %x"});
  CHECK(run_pub(broker, {"-t", "h/hex", "-m", "00ff10DEADbeef", "--format", "hex"}).ok());
  CHECK(run_pub(broker, {"-t", "h/b64", "-m", "AAH/gA==", "--format", "base64"}).ok());
  CHECK(run_pub(broker, {"-t", "h/size", "--size", "1000"}).ok());
  CHECK(run_pub(broker, {"-t", "h/zero", "--size", "0"}).ok());
  CHECK(run_pub(broker, {"-t", "h/big", "--size", "300000", "-q", "1"}).ok());
  const std::vector<std::string> got = lines_of(received(receiver));
  REQUIRE(got.size() == 5);
  CHECK(got[0] == "h/hex 7 00ff10deadbeef");
  CHECK(got[1] == "h/b64 4 0001ff80");
  CHECK(got[2].starts_with("h/size 1000 "));
  CHECK(got[2].size() == std::string("h/size 1000 ").size() + 2000);
  CHECK(got[3] == "h/zero 0 ");
  CHECK(got[4].starts_with("h/big 300000 "));

  check_usage_error(run_pub(broker, {"-t", "h/x", "-m", "abc", "--format", "hex"}), "odd number");
  check_usage_error(run_pub(broker, {"-t", "h/x", "-m", "zz", "--format", "hex"}), "not hex");
  check_usage_error(run_pub(broker, {"-t", "h/x", "-m", "!!", "--format", "base64"}), "base64");
  check_usage_error(run_pub(broker, {"-t", "h/x", "-n", "--format", "hex"}), "--format");
  check_usage_error(run_pub(broker, {"-t", "h/x", "-m", "x", "--format", "octal"}), "--format");
  check_usage_error(run_pub(broker, {"-t", "h/x", "--size", "-1"}), "--size");
}

TEST_CASE("--validate-json refuses non-JSON: exit 2, with the line number for -l") {
  BrokerFixture broker;
  TempDir dir;
  const auto not_json = dir.write_file("not.json", "{\"a\": }");

  SUBCASE("-m and -f") {
    ChildProcess receiver = start_receiver(broker, {"-t", "v/#", "-C", "1", "-v"});
    CHECK(run_pub(broker, {"-t", "v/ok", "-m", R"({"a": [1, 2]})", "--validate-json"}).ok());
    check_usage_error(run_pub(broker, {"-t", "v/m", "-m", "plain text", "--validate-json"}),
                      "not valid JSON");
    check_usage_error(run_pub(broker, {"-t", "v/f", "-f", not_json.string(), "--validate-json"}),
                      "not.json");
    check_usage_error(run_pub(broker, {"-t", "v/s", "-s", "--validate-json"}, "[1,"),
                      "-s (standard input): payload is not valid JSON");
    CHECK(received(receiver) == "v/ok {\"a\": [1, 2]}\n");
  }
  SUBCASE("-l stops at the first bad line, after delivering the lines before it") {
    ChildProcess receiver = start_receiver(broker, {"-t", "v/l", "-q", "1", "-C", "2"});
    const ProcessResult result = run_pub(broker, {"-t", "v/l", "-q", "1", "-l", "--validate-json"},
                                         "{\"n\": 1}\n[2]\nnot json\n{\"n\": 4}\n");
    check_usage_error(result, "line 3: payload is not valid JSON");
    CHECK(received(receiver) == "{\"n\": 1}\n[2]\n");
  }
  SUBCASE("-l --on-error skip leaves the bad lines out and goes on") {
    ChildProcess receiver = start_receiver(broker, {"-t", "v/l", "-q", "1", "-C", "3"});
    const ProcessResult result =
        run_pub(broker, {"-t", "v/l", "-q", "1", "-l", "--validate-json", "--on-error", "skip"},
                "{\"n\": 1}\nnot json\n[2]\n\n{\"n\": 4}\n");
    INFO(describe(result));
    CHECK(result.exit_code == 0);
    CHECK(contains(result.err, "line 2"));
    CHECK(contains(result.err, "line 4"));  // an empty line is not JSON either
    CHECK(received(receiver) == "{\"n\": 1}\n[2]\n{\"n\": 4}\n");
  }
}

TEST_CASE("bad topics are usage errors with a short reason") {
  BrokerFixture broker;
  check_usage_error(run_pub(broker, {"-t", "a/+", "-m", "x"}), "wildcard");
  check_usage_error(run_pub(broker, {"-t", "a/#", "-m", "x"}), "wildcard");
  check_usage_error(run_pub(broker, {"-t", "", "-m", "x"}), "topic");
  check_usage_error(run_pub(broker, {"-t", std::string(70000, 't'), "-m", "x"}), "65535");
  check_usage_error(run_pub(broker, {"-t", "bad/\xff\xfe", "-m", "x"}), "UTF-8");
  check_usage_error(run_pub(broker, {"-m", "no topic"}), "-t");
  check_usage_error(run_pub(broker, {"-t", "a", "-m", "x", "--will-topic", "w/+"}), "--will-topic");
  // Nothing reached the broker: no client ever connected.
  CHECK_FALSE(contains(broker.log(), "New client connected"));
}

TEST_CASE("bad payload sources and flags are usage errors") {
  BrokerFixture broker;
  TempDir dir;
  check_usage_error(run_pub(broker, {"-t", "a", "-f", (dir.path() / "missing").string()}),
                    "No such file");
  check_usage_error(run_pub(broker, {"-t", "a", "-f", dir.path().string()}), "directory");
  check_usage_error(run_pub(broker, {"-t", "a", "-m", "x", "-l"}), "exclude");
  check_usage_error(run_pub(broker, {"-t", "a", "-m", "x", "-f", "/etc/hostname"}), "exclude");
  check_usage_error(run_pub(broker, {"-t", "a", "-n", "-s"}), "exclude");
  check_usage_error(run_pub(broker, {"-t", "a"}), "no payload");
  // --jsonl -f FILE reads the records from FILE: the one pair of sources that goes together.
  const auto records = dir.write_file("r.jsonl", R"({"topic":"a","payload":1})" "\n");
  check_usage_error(run_pub(broker, {"--jsonl", "-f", records.string(), "-m", "x"}), "exclude");
  check_usage_error(run_pub(broker, {"--jsonl", "-f", records.string(), "-l"}), "exclude");
  check_usage_error(run_pub(broker, {"--jsonl", "-f", dir.path().string()}), "directory");
  check_usage_error(run_pub(broker, {"--jsonl", "-f", (dir.path() / "none").string()}),
                    "No such file");
  check_usage_error(run_pub(broker, {"-t", "a", "-m", "x", "-q", "3"}), "3");
  check_usage_error(run_pub(broker, {"-t", "a", "-m", "x", "--ack-timeout", "0"}), "--ack-timeout");
  check_usage_error(run_pub(broker, {"-t", "a", "-m", "x", "--on-error", "maybe"}), "--on-error");
  check_usage_error(run_pub(broker, {"-t", "a", "-m", "x", "-V", "6"}), "protocol version");
  CHECK_FALSE(contains(broker.log(), "New client connected"));
}

TEST_CASE("a payload over the broker's maximum packet size: a clear error naming the sizes, "
          "and what came before it still arrives") {
  BrokerFixture broker({.extra_config = {"max_packet_size 1000"}});
  const std::string big(2000, 'b');

  SUBCASE("MQTT 5 knows the limit from CONNACK") {
    ChildProcess receiver = start_receiver(broker, {"-t", "big", "-q", "1", "-C", "1"});
    const ProcessResult result =
        run_pub(broker, {"-V", "5", "-t", "big", "-q", "1", "-l"}, "small\n" + big + "\nafter\n");
    INFO(describe(result));
    CHECK(result.term_signal == 0);
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "line 2"));
    CHECK(contains(result.err, "2000 bytes"));
    CHECK(contains(result.err, "maximum packet size of 1000"));
    CHECK(received(receiver) == "small\n");

    const ProcessResult one_shot = run_pub(broker, {"-V", "5", "-t", "big", "--size", "2000"});
    CHECK(one_shot.exit_code == 1);
    CHECK(contains(one_shot.err, "maximum packet size"));
  }
  SUBCASE("MQTT 3.1.1: the broker drops the connection; the loss is not a success") {
    ChildProcess receiver = start_receiver(broker, {"-t", "big", "-q", "1", "-C", "1"});
    const ProcessResult result =
        run_pub(broker, {"-t", "big", "-q", "1", "-l"}, "small\n" + big + "\n");
    INFO(describe(result));
    CHECK(result.term_signal == 0);
    CHECK(result.exit_code != 0);
    CHECK_FALSE(result.err.empty());
    CHECK(received(receiver) == "small\n");
  }
}
