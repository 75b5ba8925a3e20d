// Filtered messages: a Router hands each message to the queue of every route whose topic
// filter matches it, so one message can land in several queues (aiomqtt's topic matching with
// `message.topic.matches(...)`); messages that match no route go to the default queue.
//
// Usage: filtered [HOST [PORT]]   (else $MQTT_HOST, $MQTT_PORT, else localhost:1883)

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <mqtk/client.hpp>
#include <mqtk/error.hpp>
#include <mqtk/router.hpp>
#include <mqtk/topic.hpp>

namespace {

mqtk::ClientOptions broker_options(int argc, char** argv) {
  mqtk::ClientOptions options;
  const char* host = argc > 1 ? argv[1] : std::getenv("MQTT_HOST");
  const char* port = argc > 2 ? argv[2] : std::getenv("MQTT_PORT");
  if (host != nullptr) options.broker.host = host;
  if (port != nullptr) options.broker.port = static_cast<std::uint16_t>(std::stoi(port));
  return options;
}

void print_queue(const std::string& name, mqtk::MessageQueue& queue) {
  while (std::optional<mqtk::Message> message = queue.try_pop())
    std::cout << name << ": " << message->topic << '\n';
}

}  // namespace

int main(int argc, char** argv) try {
  using namespace std::chrono_literals;
  mqtk::ClientOptions options = broker_options(argc, argv);
  options.id_prefix = "example-filtered";
  mqtk::Client client(options);
  client.connect();
  client.subscribe({{"example/filtered/#", {.qos = 1}}}).get();

  // TopicFilter validates the filter up front (it throws mqtk::UsageError when invalid).
  mqtk::Router router;
  const auto temperatures = router.add_route(mqtk::TopicFilter("example/filtered/+/temperature"));
  const auto kitchen = router.add_route(mqtk::TopicFilter("example/filtered/kitchen/#"));

  const std::vector<std::string> topics = {
      "example/filtered/kitchen/temperature",  // matches both routes
      "example/filtered/bedroom/temperature",  // temperatures only
      "example/filtered/kitchen/humidity",     // kitchen only
      "example/filtered/garage/door",          // no route: the default queue
  };
  for (const std::string& topic : topics)
    client.publish({.topic = topic, .payload = "1", .qos = 1});

  for (std::size_t i = 0; i < topics.size(); ++i) {
    std::optional<mqtk::Message> message = client.messages().pop_for(5s);
    if (!message) {
      std::cerr << "only " << i << " of " << topics.size() << " messages arrived\n";
      return 1;
    }
    router.dispatch(*message);
  }
  router.close();

  print_queue("temperatures", *temperatures);
  print_queue("kitchen", *kitchen);
  print_queue("unmatched", *router.default_queue());
  std::cout << "kitchen/# matches example/filtered/kitchen/temperature: " << std::boolalpha
            << mqtk::topic_matches("example/filtered/kitchen/#",
                                   "example/filtered/kitchen/temperature")
            << '\n';
  return 0;
} catch (const mqtk::Error& error) {
  std::cerr << "error: " << error.what() << '\n';
  return 1;
}
