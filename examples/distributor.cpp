// A distributor: one thread takes messages off the connection and a Router puts each into the
// queue of its topic filter; every queue has its own handler thread. Messages of one filter
// are handled in order, one at a time; different filters are handled concurrently.
//
// Usage: distributor [HOST [PORT]]   (else $MQTT_HOST, $MQTT_PORT, else localhost:1883)

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <mqtk/client.hpp>
#include <mqtk/error.hpp>
#include <mqtk/router.hpp>
#include <mqtk/topic.hpp>

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
  constexpr std::size_t readings_per_kind = 4;
  const std::vector<std::string> kinds = {"temperature", "humidity"};
  mqtk::ClientOptions options = broker_options(argc, argv);
  options.id_prefix = "example-distributor";
  mqtk::Client client(options);
  client.connect();
  client.subscribe({{"example/distributor/#", {.qos = 1}}}).get();

  // Routes are added before dispatching starts (Router's thread-safety rule).
  mqtk::Router router;
  std::vector<std::shared_ptr<mqtk::MessageQueue>> queues;
  for (const std::string& kind : kinds)
    queues.push_back(router.add_route(mqtk::TopicFilter("example/distributor/" + kind + "/#")));

  // One handler per queue; each records what it handled, in order, and only it writes there.
  std::vector<std::vector<std::string>> handled(kinds.size());
  std::vector<std::jthread> handlers;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    handlers.emplace_back([&queue = *queues[i], &log = handled[i]] {
      while (std::optional<mqtk::Message> message = queue.pop()) {
        std::this_thread::sleep_for(10ms);  // stands for slow per-topic work
        log.push_back(message->payload);
      }
    });
  }

  for (std::size_t n = 1; n <= readings_per_kind; ++n) {
    for (const std::string& kind : kinds) {
      client.publish({.topic = "example/distributor/" + kind + "/sensor",
                      .payload = kind.substr(0, 1) + std::to_string(n),
                      .qos = 1});
    }
  }
  const std::size_t expected = kinds.size() * readings_per_kind;
  std::size_t dispatched = 0;
  while (dispatched < expected) {
    std::optional<mqtk::Message> message = client.messages().pop_for(5s);
    if (!message) break;
    router.dispatch(*message);
    ++dispatched;
  }
  router.close();    // handlers finish what is queued, then their pop() returns nullopt
  handlers.clear();  // joins them

  for (std::size_t i = 0; i < kinds.size(); ++i) {
    std::cout << kinds[i] << ':';
    for (const std::string& payload : handled[i]) std::cout << ' ' << payload;
    std::cout << '\n';
  }
  return dispatched == expected ? 0 : 1;
} catch (const mqtk::Error& error) {
  std::cerr << "error: " << error.what() << '\n';
  return 1;
}
