// Client::subscribe against a real mosquitto: MQTT 5 subscribe options and the packet-level
// properties (subscription identifier, user properties) when one call carries several filters.

#include <mqtk/client.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <mqtk/error.hpp>
#include "core/client_test_helpers.hpp"
#include "support/broker_fixture.hpp"
#include "support/process.hpp"

using namespace std::chrono_literals;
using namespace mqtk;
using namespace mqtk::test;

TEST_CASE("v5 subscribe options reach the broker: no-local and retain handling") {
  BrokerFixture broker;
  Client client(options_for(broker, "opts", ProtocolVersion::v5));
  client.connect();
  // Someone else publishing: mosquitto_pub.
  const auto other_publishes = [&](const std::string& topic, const std::string& payload,
                                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"-V", "5", "-q", "1", "-t", topic, "-m", payload};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult pub = mosquitto_pub(broker.port(), args);
    REQUIRE_MESSAGE(pub.ok(), describe(pub));
  };

  SUBCASE("no-local: own publishes are not echoed, others' are") {
    Subscription s = subscription("nl/#", 1);
    s.options.no_local = true;
    get_within(client.subscribe({s}));
    get_within(client.publish(make_message("nl/a", "mine", 1)));
    other_publishes("nl/a", "theirs");
    CHECK(next_message(client).payload == "theirs");
  }
  SUBCASE("retain handling 2: no retained message on subscribe") {
    other_publishes("rh/a", "old", {"-r"});
    Subscription s = subscription("rh/#", 1);
    s.options.retain_handling = 2;
    get_within(client.subscribe({s}));
    other_publishes("rh/a", "new");
    CHECK(next_message(client).payload == "new");
  }
  SUBCASE("several filters with options in one call (paho.mqtt.cpp#524 crashed here)") {
    Subscription a = subscription("multi/a", 1);
    Subscription b = subscription("multi/b", 2);
    a.options.no_local = true;
    b.options.no_local = true;
    CHECK(get_within(client.subscribe({a, b})).granted_qos == std::vector<int>{1, 2});
    get_within(client.publish(make_message("multi/a", "mine", 1)));
    other_publishes("multi/a", "a");
    other_publishes("multi/b", "b");
    CHECK(next_payloads(client, 2) == std::vector<std::string>{"a", "b"});
  }
  SUBCASE("several filters without options go in one SUBSCRIBE") {
    CHECK(get_within(client.subscribe({subscription("plain/a", 0), subscription("plain/b", 1)}))
              .granted_qos == std::vector<int>{0, 1});
    other_publishes("plain/a", "a");
    other_publishes("plain/b", "b");
    CHECK(next_payloads(client, 2) == std::vector<std::string>{"a", "b"});
    const std::string log = broker.log();
    CHECK(log.find("Received SUBSCRIBE from opts") == log.rfind("Received SUBSCRIBE from opts"));
  }
  SUBCASE("filters with different subscription identifiers each keep their own") {
    Subscription first = subscription("ids/a", 1);
    Subscription second = subscription("ids/b", 1);
    first.options.subscription_identifier = 7;
    second.options.subscription_identifier = 9;
    get_within(client.subscribe({first, second}));
    other_publishes("ids/b", "b");
    other_publishes("ids/a", "a");
    const Message b = next_message(client);
    const Message a = next_message(client);
    CHECK(b.payload == "b");
    CHECK(b.properties.subscription_identifiers == std::vector<std::uint32_t>{9});
    CHECK(a.properties.subscription_identifiers == std::vector<std::uint32_t>{7});
  }
  Subscription bad = subscription("x", 0);
  bad.options.retain_handling = 3;
  CHECK_THROWS_AS(client.subscribe({bad}), UsageError);
}
