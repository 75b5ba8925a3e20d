// TLS and proxy settings. TLS verification is on by default: the broker's certificate must
// chain to a trusted CA (the system store, or ca_file) and name the host connected to. A proxy
// (SOCKS5 or HTTP CONNECT) is one more option; TLS then runs end to end through it.
//
// Usage: tls_and_proxy HOST TLS_PORT CA_FILE [PROXY_URL]
//        (else $MQTT_HOST, $MQTT_TLS_PORT, $MQTT_CA_FILE, $MQTT_PROXY; PROXY_URL such as
//        socks5://127.0.0.1:1080 or http://user:pass@proxy:3128)

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include <mqtk/client.hpp>
#include <mqtk/error.hpp>

namespace {

using namespace std::chrono_literals;

const char* argument(int argc, char** argv, int index, const char* variable) {
  return argc > index ? argv[index] : std::getenv(variable);
}

// Connects, sends one message to itself and reads it back.
void round_trip(const mqtk::ClientOptions& options, const std::string& label) {
  mqtk::Client client(options);
  client.connect();
  client.subscribe({{"example/tls", {.qos = 1}}}).get();
  client.publish({.topic = "example/tls", .payload = "sealed", .qos = 1}).get();
  const std::optional<mqtk::Message> message = client.messages().pop_for(5s);
  std::cout << label << ": " << (message ? message->payload : "nothing arrived") << '\n';
}

}  // namespace

int main(int argc, char** argv) try {
  const char* host = argument(argc, argv, 1, "MQTT_HOST");
  const char* port = argument(argc, argv, 2, "MQTT_TLS_PORT");
  const char* ca_file = argument(argc, argv, 3, "MQTT_CA_FILE");
  const char* proxy = argument(argc, argv, 4, "MQTT_PROXY");
  if (host == nullptr || port == nullptr || ca_file == nullptr) {
    std::cerr << "usage: tls_and_proxy HOST TLS_PORT CA_FILE [PROXY_URL]\n";
    return 2;
  }

  mqtk::ClientOptions options;
  options.id_prefix = "example-tls";
  options.broker.transport = mqtk::Transport::tls;  // what an mqtts:// URL sets
  options.broker.host = host;
  options.broker.port = static_cast<std::uint16_t>(std::stoi(port));
  options.tls.ca_file = ca_file;
  round_trip(options, "TLS, verified against the CA file");

  // Without the private CA the default (system) trust store does not know the broker's
  // certificate, and verification refuses it: the error says so.
  mqtk::ClientOptions untrusted = options;
  untrusted.tls.ca_file.clear();
  try {
    round_trip(untrusted, "TLS without the CA");
  } catch (const mqtk::ConnectError& error) {
    std::cout << "TLS without the CA is refused: " << error.what() << '\n';
  }

  if (proxy != nullptr) {
    mqtk::ClientOptions proxied = options;
    proxied.proxy = mqtk::ProxyOptions::parse(proxy);  // throws UsageError for a bad URL
    round_trip(proxied, "TLS through the proxy");
  }
  return 0;
} catch (const mqtk::Error& error) {
  std::cerr << "error: " << error.what() << '\n';
  return 1;
}
