// Subscribe and iterate over the incoming messages (aiomqtt: `async for message in
// client.messages`). The client is an RAII session: connected by connect(), disconnected
// cleanly by its destructor. The example publishes its own readings so it runs on its own.
//
// Usage: subscribe [HOST [PORT]]   (else $MQTT_HOST, $MQTT_PORT, else localhost:1883)

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
  using namespace std::chrono_literals;
  mqtk::ClientOptions options = broker_options(argc, argv);
  options.id_prefix = "example-subscribe";
  mqtk::Client client(options);
  client.connect();

  // subscribe() returns a future: get() waits for the SUBACK (and throws if it was refused).
  client.subscribe({{"example/subscribe/#", {.qos = 1}}}).get();
  for (int i = 1; i <= 3; ++i) {
    client.publish({.topic = "example/subscribe/sensor" + std::to_string(i),
                    .payload = "reading " + std::to_string(i),
                    .qos = 1});
  }

  // messages() is the client's queue of incoming messages; pop_for() waits for the next one.
  for (int received = 0; received < 3; ++received) {
    std::optional<mqtk::Message> message = client.messages().pop_for(5s);
    if (!message) {
      std::cerr << "no message within 5 s\n";
      return 1;
    }
    std::cout << message->topic << ": " << message->payload << '\n';
  }
  return 0;
} catch (const mqtk::Error& error) {
  std::cerr << "error: " << error.what() << '\n';
  return 1;
}
