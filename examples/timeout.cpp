// Stop listening after a timeout: take messages until a deadline, then carry on. pop_for()
// waits at most the time left, so the loop ends on time even when nothing arrives.
//
// Usage: timeout [HOST [PORT]]   (else $MQTT_HOST, $MQTT_PORT, else localhost:1883)

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include <mqtk/client.hpp>
#include <mqtk/error.hpp>

namespace {

mqtk::ClientOptions broker_options(int argc, char** argv) {
  mqtk::ClientOptions options;
  const char* host = argc > 1 ? argv[1] : std::getenv("MQTT_HOST");
  const char* port = argc > 2 ? argv[2] : std::getenv("MQTT_PORT");
  if (host != nullptr) options.broker.host = host;
  if (port != nullptr) options.broker.port = static_cast<std::uint16_t>(std::stoi(port));
  return options;
}

}  // namespace

int main(int argc, char** argv) try {
  using namespace std::chrono;
  using namespace std::chrono_literals;
  mqtk::ClientOptions options = broker_options(argc, argv);
  options.id_prefix = "example-timeout";
  mqtk::Client client(options);
  client.connect();
  client.subscribe({{"example/timeout/#", {.qos = 1}}}).get();
  client.publish({.topic = "example/timeout/early", .payload = "1", .qos = 1}).get();
  client.publish({.topic = "example/timeout/late", .payload = "2", .qos = 1}).get();

  const auto deadline = steady_clock::now() + 1s;
  int received = 0;
  for (;;) {
    const auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left <= 0ms) break;
    std::optional<mqtk::Message> message = client.messages().pop_for(left);
    if (!message) break;  // the deadline passed with nothing new
    std::cout << "got " << message->topic << '\n';
    ++received;
  }
  std::cout << "stopped listening after 1 s with " << received << " messages\n";
  return 0;
} catch (const mqtk::Error& error) {
  std::cerr << "error: " << error.what() << '\n';
  return 1;
}
