// Uses the installed headers and library: a topic check (pure code) and one message to itself
// through the broker at argv[1]:argv[2] (paho linked through the package's dependencies).
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

#include <mqtk/client.hpp>
#include <mqtk/error.hpp>
#include <mqtk/library_info.hpp>
#include <mqtk/topic.hpp>

int main(int argc, char** argv) try {
  if (argc != 3) {
    std::cerr << "usage: consumer HOST PORT\n";
    return 2;
  }
  std::cout << "mqtk " << mqtk::core_version() << '\n';
  std::cout << "matches: " << mqtk::TopicFilter("a/+/c").matches("a/b/c") << '\n';
  mqtk::ClientOptions options;
  options.broker.host = argv[1];
  options.broker.port = static_cast<std::uint16_t>(std::stoi(argv[2]));
  mqtk::Client client(options);
  client.connect();
  client.subscribe({{"consumer/test", {.qos = 1}}}).get();
  client.publish({.topic = "consumer/test", .payload = "installed", .qos = 1}).get();
  const auto message = client.messages().pop_for(std::chrono::seconds{5});
  std::cout << "received: " << (message ? message->payload : "nothing") << '\n';
  return message ? 0 : 1;
} catch (const mqtk::Error& error) {
  std::cerr << error.what() << '\n';
  return 1;
}
