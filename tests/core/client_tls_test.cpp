// Client over TLS and websockets against a real mosquitto (BrokerFixture with its test PKI):
// verification on by default, the OpenSSL reason in the error, --insecure, client certificates.

#include <mqtk/client.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/client_test_helpers.hpp"
#include <mqtk/error.hpp>
#include "support/broker_fixture.hpp"

using namespace std::chrono_literals;
using namespace mqtk;
using namespace mqtk::test;

namespace {

BrokerOptions tls_broker(bool require_client_cert = false, bool expired = false) {
  BrokerOptions options;
  options.tls = true;
  options.tls_require_client_cert = require_client_cert;
  options.tls_expired_server_cert = expired;
  return options;
}

ClientOptions tls_options(const BrokerFixture& broker, std::string id,
                          const std::filesystem::path& ca_file,
                          ProtocolVersion version = ProtocolVersion::v311) {
  ClientOptions options = options_for(broker.tls_url(), std::move(id), version);
  options.tls.ca_file = ca_file.string();
  return options;
}

// Subscribes, publishes one QoS 1 message to itself and checks it came back intact.
void check_round_trip(Client& client, const std::string& topic) {
  subscribe(client, topic, 1);
  const std::string payload = all_bytes();
  get_within(client.publish(make_message(topic, payload, 1)));
  const Message m = next_message(client);
  CHECK(m.topic == topic);
  CHECK(m.payload == payload);
}

}  // namespace

TEST_CASE("TLS with the right CA: connects, verifies and carries messages") {
  BrokerFixture broker(tls_broker());
  REQUIRE(uses_tls(options_for(broker.tls_url(), "x")));  // mqtts:// alone switches TLS on
  for (ProtocolVersion version : {ProtocolVersion::v311, ProtocolVersion::v5}) {
    CAPTURE(std::string(to_string(version)));
    const std::string id = "tls-ok-" + std::string(to_string(version));
    Client client(tls_options(broker, id, broker.ca_file(), version));
    const ConnectResult result = client.connect();
    CHECK(result.version == version);
    CHECK(contains(result.server_uri, std::to_string(broker.tls_port())));
    check_round_trip(client, "tls/" + id);
    // The broker saw it on the TLS listener.
    CHECK(broker.wait_for_log("on port " + std::to_string(broker.tls_port())));
  }
}

TEST_CASE("TLS with the wrong CA fails with 'certificate verify failed'") {
  BrokerFixture broker(tls_broker());
  const auto failure = connect_failure(tls_options(broker, "tls-wrong-ca", broker.wrong_ca_file()));
  REQUIRE(failure.has_value());
  CAPTURE(failure->message);
  CHECK(failure->category == ErrorCategory::connect);
  CHECK(contains(failure->message, "certificate verify failed"));
  CHECK(contains(failure->message, std::to_string(broker.tls_port())));
}

TEST_CASE("TLS insecure mode connects despite the wrong CA") {
  BrokerFixture broker(tls_broker());
  ClientOptions options = tls_options(broker, "tls-insecure", broker.wrong_ca_file());
  options.tls.insecure = true;
  Client client(options);
  CHECK_NOTHROW(client.connect());
  check_round_trip(client, "tls/insecure");
}

TEST_CASE("TLS to an expired server certificate fails and says so") {
  BrokerFixture broker(tls_broker(false, true));
  const auto failure = connect_failure(tls_options(broker, "tls-expired", broker.ca_file()));
  REQUIRE(failure.has_value());
  CAPTURE(failure->message);
  CHECK(failure->category == ErrorCategory::connect);
  CHECK(contains(failure->message, "certificate verify failed"));
  CHECK(contains(failure->message, "expired"));
}

TEST_CASE("a broker that requires a client certificate: refused without, accepted with") {
  BrokerFixture broker(tls_broker(true));
  SUBCASE("without a certificate") {
    const auto failure = connect_failure(tls_options(broker, "tls-no-cert", broker.ca_file()));
    REQUIRE(failure.has_value());
    CAPTURE(failure->message);
    CHECK(failure->category == ErrorCategory::connect);
    CHECK(contains(failure->message, "TLS handshake failed"));
    CHECK(contains(failure->message, "certificate required"));
  }
  SUBCASE("with the test CA's client certificate") {
    ClientOptions options = tls_options(broker, "tls-cert", broker.ca_file());
    options.tls.cert_file = broker.client_cert_file().string();
    options.tls.key_file = broker.client_key_file().string();
    Client client(options);
    CHECK_NOTHROW(client.connect());
    check_round_trip(client, "tls/cert");
  }
  SUBCASE("a certificate file that does not exist is named in the error") {
    ClientOptions options = tls_options(broker, "tls-missing-cert", broker.ca_file());
    options.tls.cert_file = "/nonexistent/client.crt";
    options.tls.key_file = broker.client_key_file().string();
    const auto failure = connect_failure(options);
    REQUIRE(failure.has_value());
    CAPTURE(failure->message);
    CHECK(failure->category == ErrorCategory::connect);
    CHECK(contains(failure->message, "/nonexistent/client.crt"));
  }
}

TEST_CASE("a plain client on the TLS port fails instead of hanging") {
  BrokerFixture broker(tls_broker());
  ClientOptions options =
      options_for("mqtt://127.0.0.1:" + std::to_string(broker.tls_port()), "plain-on-tls");
  const auto failure = connect_failure(options);
  REQUIRE(failure.has_value());
  CHECK(failure->category == ErrorCategory::connect);
}

TEST_CASE("websocket transport: round trip, and interoperates with mosquitto_sub on TCP") {
  BrokerOptions options;
  options.websockets = true;
  BrokerFixture broker(options);
  for (ProtocolVersion version : {ProtocolVersion::v311, ProtocolVersion::v5}) {
    CAPTURE(std::string(to_string(version)));
    const std::string id = "ws-" + std::string(to_string(version));
    Client client(options_for(broker.ws_url(), id, version));
    client.connect();
    CHECK(broker.wait_for_log("as " + id));
    check_round_trip(client, "ws/" + id);

    ChildProcess sub = start_mosquitto_sub(broker, id + "-msub",
                                           {"-t", "ws/out", "-C", "1", "-W", "10", "-N"});
    get_within(client.publish(make_message("ws/out", std::string("over\0ws", 7), 1)));
    const ProcessResult seen = sub.wait(kDeadline);
    CHECK_MESSAGE(seen.ok(), describe(seen));
    CHECK(seen.out == std::string("over\0ws", 7));
  }
}
