// The incoming queue's kinds: FIFO, LIFO and priority (here humidity/# is served before
// temperature/#), and a bounded queue (max_queued, called capacity here) under each overflow
// policy: block the network until there is room, drop the oldest queued message, or drop the
// new one. The same four readings go through each configuration.
//
// Usage: queues [HOST [PORT]]   (else $MQTT_HOST, $MQTT_PORT, else localhost:1883)

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <mqtk/client.hpp>
#include <mqtk/error.hpp>
#include <mqtk/message_queue.hpp>

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

// Sends t1 h1 t2 h2 (temperature and humidity readings) through a client whose incoming queue
// has `queue_options`, and prints them in the order that queue hands them out.
void demonstrate(const std::string& label, const mqtk::ClientOptions& broker,
                 mqtk::QueueOptions queue_options) {
  const std::vector<std::pair<std::string, std::string>> readings = {
      {"temperature", "t1"}, {"humidity", "h1"}, {"temperature", "t2"}, {"humidity", "h2"}};
  const bool blocks =
      queue_options.capacity > 0 && queue_options.overflow == mqtk::OverflowPolicy::block;
  mqtk::ClientOptions options = broker;
  options.incoming = std::move(queue_options);
  mqtk::Client client(options);
  client.connect();
  client.subscribe({{"example/queues/#", {.qos = 1}}}).get();

  // Published from another thread, the acknowledgements awaited only at the end: with the
  // `block` policy a full queue holds up the network thread (paho has one per process) until a
  // message is taken, and a publish may wait for that thread too. The thread that takes the
  // messages must never be the one waiting.
  auto publishing = std::async(std::launch::async, [&] {
    std::vector<std::future<mqtk::PublishResult>> acknowledged;
    for (const auto& [kind, value] : readings)
      acknowledged.push_back(
          client.publish({.topic = "example/queues/" + kind, .payload = value, .qos = 1}));
    return acknowledged;
  });

  mqtk::MessageQueue& queue = client.messages();
  if (!blocks) {
    // Let every reading reach the queue (or be dropped) before taking any, so the order the
    // queue chose is what shows.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (queue.size() + queue.dropped() < readings.size() &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
  }
  std::cout << label << ':';
  for (std::size_t taken = 0; taken + queue.dropped() < readings.size(); ++taken) {
    std::optional<mqtk::Message> message = queue.pop_for(5s);
    if (!message) break;
    std::cout << ' ' << message->payload;
  }
  std::cout << " (dropped " << queue.dropped() << ")\n";
  for (auto& ack : publishing.get()) ack.get();
}

}  // namespace

int main(int argc, char** argv) try {
  mqtk::ClientOptions broker = broker_options(argc, argv);
  broker.id_prefix = "example-queues";
  demonstrate("fifo", broker, {.order = mqtk::QueueOrder::fifo});
  demonstrate("lifo", broker, {.order = mqtk::QueueOrder::lifo});
  demonstrate("priority", broker,
              {.order = mqtk::QueueOrder::priority,
               .priority_filters = {"example/queues/humidity/#", "example/queues/temperature/#"}});
  demonstrate("max 2, drop-oldest", broker,
              {.capacity = 2, .overflow = mqtk::OverflowPolicy::drop_oldest});
  demonstrate("max 2, drop-newest", broker,
              {.capacity = 2, .overflow = mqtk::OverflowPolicy::drop_newest});
  demonstrate("max 2, block", broker, {.capacity = 2, .overflow = mqtk::OverflowPolicy::block});
  return 0;
} catch (const mqtk::Error& error) {
  std::cerr << "error: " << error.what() << '\n';
  return 1;
}
