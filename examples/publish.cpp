// Publish at each QoS, a retained message, and MQTT 5 properties; each publish() returns a
// future that resolves once the broker has acknowledged it (QoS 1 and 2) or the message was
// handed to the network (QoS 0). A second client then reads the retained message back.
//
// Usage: publish [HOST [PORT]]   (else $MQTT_HOST, $MQTT_PORT, else localhost:1883)

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
  options.id_prefix = "example-publish";
  options.version = mqtk::ProtocolVersion::v5;
  {
    mqtk::Client publisher(options);
    publisher.connect();
    for (int qos = 0; qos <= 2; ++qos) {
      publisher.publish({.topic = "example/publish/qos" + std::to_string(qos),
                         .payload = "hello",
                         .qos = qos})
          .get();
      std::cout << "published at QoS " << qos << '\n';
    }
    mqtk::Message status{.topic = "example/publish/status", .payload = "online", .qos = 1,
                         .retain = true};
    status.properties.content_type = "text/plain";
    status.properties.user_properties.emplace_back("origin", "publish example");
    publisher.publish(status).get();
    std::cout << "published retained status\n";
  }  // the destructor waits for anything still in flight, then disconnects

  mqtk::Client reader(options);
  reader.connect();
  reader.subscribe({{"example/publish/status", {.qos = 1}}}).get();
  const std::optional<mqtk::Message> retained = reader.messages().pop_for(5s);
  if (!retained) {
    std::cerr << "the retained message did not arrive\n";
    return 1;
  }
  std::cout << "read back " << retained->topic << " = " << retained->payload
            << " (retain " << retained->retain << ", content type "
            << retained->properties.content_type.value_or("none") << ")\n";
  // Clear the retained message: an empty retained payload deletes it on the broker.
  reader.publish({.topic = "example/publish/status", .qos = 1, .retain = true}).get();
  return 0;
} catch (const mqtk::Error& error) {
  std::cerr << "error: " << error.what() << '\n';
  return 1;
}
