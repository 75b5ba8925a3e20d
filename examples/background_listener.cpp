// Listening without blocking: a listener thread handles messages while the main thread goes on
// with other work (here, publishing). When the main thread wants to stop, Client::stop() wakes
// the listener's blocked pop(), the listener returns, and the thread is joined: no message
// handler is cut off halfway and nothing is left hanging.
//
// Usage: background_listener [HOST [PORT]]   (else $MQTT_HOST, $MQTT_PORT, else localhost:1883)

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

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
  constexpr int message_count = 5;
  mqtk::ClientOptions options = broker_options(argc, argv);
  options.id_prefix = "example-background";
  mqtk::Client client(options);
  client.connect();
  client.subscribe({{"example/background/#", {.qos = 1}}}).get();

  std::atomic<int> heard{0};
  std::jthread listener([&] {
    while (std::optional<mqtk::Message> message = client.messages().pop()) {
      std::cout << "listener: " + message->topic + '\n';  // one write: whole lines
      ++heard;
    }
    std::cout << "listener: queue closed, returning\n";
  });

  // The main thread's own work; the listener runs beside it.
  for (int i = 1; i <= message_count; ++i)
    client.publish({.topic = "example/background/" + std::to_string(i), .qos = 1}).get();
  // One write, as the listener's: the two threads share std::cout, and `<<` pieces interleave.
  std::cout << "main: published " + std::to_string(message_count) + " messages\n";
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (heard < message_count && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);

  client.stop();    // the request to stop: wakes the listener's pop()
  listener.join();  // it has returned by itself
  std::cout << "main: listener stopped after " << heard << " messages\n";
  return heard == message_count ? 0 : 1;
} catch (const mqtk::Error& error) {
  std::cerr << "error: " << error.what() << '\n';
  return 1;
}
