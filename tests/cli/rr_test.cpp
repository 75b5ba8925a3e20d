// `mqtk rr` against a real mosquitto, with mosquitto_sub/mosquitto_pub as the responder: the
// request carries the response topic and a random correlation data, only responses carrying
// that correlation data count (a stale retained reply does not), -C N, -W, output formats, v5 only.

#include "cli/pub_harness.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace mqtk::test;
using namespace mqtk::test::pub;

namespace {

// A responder's ear: prints "<response topic>|<correlation data>|<payload>" of one request.
ChildProcess start_responder(const BrokerFixture& broker, const std::string& request_topic) {
  return start_receiver(broker, {"-V", "5", "-t", request_topic, "-C", "1", "-F", "%R|%D|%p"});
}

// Waits for the request; returns its fields {response topic, correlation data, payload}.
std::vector<std::string> take_request(ChildProcess& responder) {
  const auto line = responder.read_line(20s);
  REQUIRE_MESSAGE(line, "no request arrived");
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (int i = 0; i < 2; ++i) {
    const auto bar = line->find('|', start);
    REQUIRE(bar != std::string::npos);
    fields.push_back(line->substr(start, bar - start));
    start = bar + 1;
  }
  fields.push_back(line->substr(start));
  return fields;
}

void respond(const BrokerFixture& broker, const std::string& topic, const std::string& correlation,
             const std::string& payload) {
  sub::publish(broker, {"-V", "5", "-t", topic, "-m", payload, "-D", "publish",
                        "correlation-data", correlation});
}

}  // namespace

TEST_CASE("rr sends the request with a response topic and random correlation data, prints the "
          "matching response and exits 0") {
  BrokerFixture broker;
  ChildProcess responder = start_responder(broker, "rr/req");
  ChildProcess rr(mqtk_argv(broker, "rr", {"-t", "rr/req", "-e", "rr/resp", "-m", "question"}));
  const std::vector<std::string> request = take_request(responder);
  CHECK(request[0] == "rr/resp");
  CHECK(request[1].size() >= 16);  // random, not empty
  CHECK(request[2] == "question");
  respond(broker, "rr/resp", "not-" + request[1], "someone else's answer");
  respond(broker, "rr/resp", request[1], "answer");
  const ProcessResult result = rr.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out == "answer\n");

  // Another request gets another correlation data.
  ChildProcess responder2 = start_responder(broker, "rr/req");
  ChildProcess rr2(mqtk_argv(broker, "rr", {"-t", "rr/req", "-e", "rr/resp", "-n", "-W", "2"}));
  const std::vector<std::string> second = take_request(responder2);
  CHECK(second[1] != request[1]);
  CHECK(rr2.wait(20s).exit_code == 4);
}

TEST_CASE("rr ignores a stale retained message on the response topic") {
  BrokerFixture broker;
  sub::publish(broker, {"-V", "5", "-t", "st/resp", "-m", "stale without correlation", "-r"});
  sub::publish(broker, {"-V", "5", "-t", "st/resp2", "-m", "stale with old correlation", "-r",
                        "-D", "publish", "correlation-data", "old"});
  ChildProcess responder = start_responder(broker, "st/req");
  ChildProcess rr(mqtk_argv(broker, "rr", {"-t", "st/req", "-e", "st/resp", "-m", "q", "-v"}));
  const std::vector<std::string> request = take_request(responder);
  respond(broker, "st/resp", request[1], "fresh");
  const ProcessResult result = rr.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out == "st/resp fresh\n");

  // A fixed --correlation-data opts out of that protection: a retained reply carrying it counts.
  const ProcessResult fixed = run_mqtk(joined(
      joined({"rr"}, broker_args(broker)),
      {"-t", "st/req", "-e", "st/resp2", "-m", "q", "--correlation-data", "old", "-W", "5"}));
  INFO(describe(fixed));
  CHECK(fixed.exit_code == 0);
  CHECK(fixed.out == "stale with old correlation\n");
}

TEST_CASE("rr -C 2 collects two responses; --json prints records with the properties") {
  BrokerFixture broker;
  ChildProcess responder = start_responder(broker, "c/req");
  ChildProcess rr(
      mqtk_argv(broker, "rr", {"-t", "c/req", "-e", "c/resp", "-m", "q", "-C", "2", "--json"}));
  const std::vector<std::string> request = take_request(responder);
  respond(broker, "c/resp", request[1], "first");
  respond(broker, "c/resp", request[1], R"({"second": true})");
  const ProcessResult result = rr.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  const std::vector<std::string> lines = lines_of(result.out);
  REQUIRE(lines.size() == 2);
  const auto first = nlohmann::json::parse(lines[0]);
  const auto second = nlohmann::json::parse(lines[1]);
  CHECK(first["topic"] == "c/resp");
  CHECK(first["payload"] == "first");
  CHECK(first["properties"]["correlation_data"] == request[1]);
  CHECK(second["payload"]["second"] == true);
}

TEST_CASE("rr -W without a response exits 4; MQTT 3 and missing topics are usage errors") {
  BrokerFixture broker;
  const auto rr = [&](const std::vector<std::string>& args) {
    return run_mqtk(joined(joined({"rr"}, broker_args(broker)), args));
  };
  const ProcessResult timeout = rr({"-t", "w/req", "-e", "w/resp", "-m", "q", "-W", "1"});
  INFO(describe(timeout));
  CHECK(timeout.exit_code == 4);
  CHECK(contains(timeout.err, "timed out"));

  for (const char* version : {"3.1.1", "mqttv311", "mqttv31"}) {
    const ProcessResult v3 = rr({"-V", version, "-t", "w/req", "-e", "w/resp", "-m", "q"});
    CHECK(v3.exit_code == 2);
    CHECK(contains(v3.err, "MQTT 5"));
  }
  CHECK(rr({"-t", "w/req", "-m", "q"}).exit_code == 2);
  CHECK(rr({"-e", "w/resp", "-m", "q"}).exit_code == 2);
  CHECK(rr({"-t", "w/+", "-e", "w/resp", "-m", "q"}).exit_code == 2);
  CHECK(rr({"-t", "w/req", "-e", "w/#", "-m", "q"}).exit_code == 2);
  CHECK(rr({"-t", "w/req", "-e", "w/resp", "-m", "q", "-l"}).exit_code == 2);
  CHECK(rr({"-t", "w/req", "-e", "w/resp", "-m", "q", "-C", "0"}).exit_code == 2);
  CHECK(sub::count_of(broker.log(), "Received PUBLISH") == 1);  // only the -W 1 request
}

TEST_CASE("SIGINT while rr waits for its response exits 130") {
  BrokerFixture broker;
  ChildProcess responder = start_responder(broker, "i/req");
  ChildProcess rr(mqtk_argv(broker, "rr", {"-t", "i/req", "-e", "i/resp", "-m", "q"}));
  static_cast<void>(take_request(responder));  // subscribed, sent, and now waiting
  rr.signal(SIGINT);
  const ProcessResult result = rr.wait(20s);
  INFO(describe(result));
  CHECK(result.exit_code == 130);
  CHECK(result.out.empty());
}
