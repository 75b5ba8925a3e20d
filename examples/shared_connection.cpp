// One connection shared by several publishers: Client's member functions may be called from
// any thread, so publisher threads share one Client instead of opening a connection each.
// The client reads its own messages back and counts them per publisher.
//
// Usage: shared_connection [HOST [PORT]]   (else $MQTT_HOST, $MQTT_PORT, else localhost:1883)

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <mqtk/client.hpp>
#include <mqtk/error.hpp>

namespace {

using namespace std::chrono_literals;

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
  constexpr int publisher_count = 3;
  constexpr int messages_each = 10;
  mqtk::ClientOptions options = broker_options(argc, argv);
  options.id_prefix = "example-shared";
  mqtk::Client shared(options);
  shared.connect();
  // The same connection also reads the messages back, to count what arrived per publisher.
  shared.subscribe({{"example/shared/#", {.qos = 1}}}).get();
  {
    std::vector<std::jthread> publishers;
    for (int p = 1; p <= publisher_count; ++p) {
      publishers.emplace_back([&shared, p] {
        const std::string topic = "example/shared/publisher-" + std::to_string(p);
        try {
          for (int i = 1; i <= messages_each; ++i)
            shared.publish({.topic = topic, .payload = std::to_string(i), .qos = 1}).get();
        } catch (const mqtk::Error& error) {
          std::cerr << topic + ": " + error.what() + '\n';
        }
      });
    }
  }  // joins the publishers
  std::cout << "one connection carried " << publisher_count * messages_each << " publishes\n";

  std::map<std::string, int> per_topic;
  for (int i = 0; i < publisher_count * messages_each; ++i) {
    std::optional<mqtk::Message> message = shared.messages().pop_for(5s);
    if (!message) break;
    ++per_topic[message->topic];
  }
  for (const auto& [topic, count] : per_topic) std::cout << topic << ": " << count << '\n';
  return 0;
} catch (const mqtk::Error& error) {
  std::cerr << "error: " << error.what() << '\n';
  return 1;
}
