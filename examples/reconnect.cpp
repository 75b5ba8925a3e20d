// Losing the broker, and getting it back. Three ways, each of which ends in a clear error or
// event, never in a hang:
//  1. connect() to a broker that is not there throws mqtk::ConnectError, with a category and a
//     human reason;
//  2. a reconnect loop in user code (aiomqtt's `while True: try: async with Client(...)`), with
//     mqtk::Backoff for the delays;
//  3. the client's own reconnect (ReconnectOptions), which reports what happens as ClientEvents;
// and Client::stop() ending a connect() that keeps retrying.
//
// Usage: reconnect [HOST [PORT [DEAD_PORT]]]   (else $MQTT_HOST, $MQTT_PORT, $MQTT_DEAD_PORT,
//        else localhost:1883 and port 1); DEAD_PORT is a port on HOST where nothing listens.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <mqtk/client.hpp>
#include <mqtk/error.hpp>
#include <mqtk/reconnect.hpp>

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

std::uint16_t dead_port(int argc, char** argv) {
  const char* port = argc > 3 ? argv[3] : std::getenv("MQTT_DEAD_PORT");
  return static_cast<std::uint16_t>(port != nullptr ? std::stoi(port) : 1);
}

// The events one client reported, for the main thread to wait on.
class EventLog {
 public:
  void record(const mqtk::ClientEvent& event) {
    std::lock_guard lock(mutex_);
    kinds_.push_back(event.kind);
    changed_.notify_all();
  }
  // Waits until `kind` is reported after the first `after` events; returns its index.
  std::optional<std::size_t> wait_for(mqtk::ClientEventKind kind, std::size_t after = 0) {
    std::unique_lock lock(mutex_);
    std::optional<std::size_t> found;
    changed_.wait_for(lock, 10s, [&] {
      for (std::size_t i = after; i < kinds_.size(); ++i)
        if (kinds_[i] == kind) {
          found = i;
          return true;
        }
      return false;
    });
    return found;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<mqtk::ClientEventKind> kinds_;
};

void connect_to_nothing(mqtk::ClientOptions options) {
  try {
    mqtk::Client client(options);
    client.connect();
    std::cout << "1. unexpectedly connected\n";
  } catch (const mqtk::Error& error) {
    std::cout << "1. connect failed, category " << mqtk::to_string(error.category()) << ": "
              << error.what() << '\n';
  }
}

// The broker is "down" (the dead port) for the first two attempts, then "back".
void user_reconnect_loop(const mqtk::ClientOptions& live, std::uint16_t dead) {
  mqtk::Backoff backoff({.min_delay = 50ms, .max_delay = 200ms});
  for (int attempt = 1; attempt <= 5; ++attempt) {
    mqtk::ClientOptions options = live;
    if (attempt <= 2) options.broker.port = dead;
    try {
      mqtk::Client client(options);
      client.connect();
      std::cout << "2. attempt " << attempt << ": connected\n";
      return;  // a real program would subscribe and iterate here, inside the loop
    } catch (const mqtk::ConnectError&) {
      std::cout << "2. attempt " << attempt << ": failed, retrying\n";
      std::this_thread::sleep_for(backoff.next());
    }
  }
}

void built_in_reconnect(const mqtk::ClientOptions& live) {
  mqtk::ClientOptions options = live;
  options.client_id = options.effective_client_id();  // fixed, so the takeover below works
  options.reconnect = {.enabled = true, .min_delay = 100ms, .max_delay = 1s};
  EventLog events;
  mqtk::Client client(options);
  client.set_event_handler([&events](const mqtk::ClientEvent& event) { events.record(event); });
  client.connect();
  std::optional<std::size_t> lost;
  {
    // A second connection with the same client id makes the broker drop the first one
    // (session takeover): a real connection loss, as the client sees it.
    mqtk::ClientOptions intruder_options = live;
    intruder_options.client_id = options.client_id;
    mqtk::Client intruder(intruder_options);
    intruder.connect();
    lost = events.wait_for(mqtk::ClientEventKind::connection_lost);
    std::cout << "3. event: " << (lost ? "connection_lost" : "no connection_lost in 10 s") << '\n';
  }
  const auto back =
      lost ? events.wait_for(mqtk::ClientEventKind::connected, *lost + 1) : std::nullopt;
  std::cout << "3. event: " << (back ? "connected again" : "not reconnected in 10 s") << '\n';
  client.publish({.topic = "example/reconnect/after", .payload = "ok", .qos = 1}).get();
  std::cout << "3. publishing works after the reconnect\n";
}

void stop_ends_retrying_connect(mqtk::ClientOptions options, std::uint16_t dead) {
  options.broker.port = dead;
  options.reconnect = {.enabled = true, .min_delay = 100ms, .max_delay = 1s,
                       .retry_initial_connect = true};
  EventLog events;
  mqtk::Client client(options);
  client.set_event_handler([&events](const mqtk::ClientEvent& event) { events.record(event); });
  // connect() keeps retrying until it succeeds or stop() is called from another thread.
  std::future<void> connecting = std::async(std::launch::async, [&client] { client.connect(); });
  events.wait_for(mqtk::ClientEventKind::reconnecting);
  client.stop();
  try {
    connecting.get();
    std::cout << "4. unexpectedly connected\n";
  } catch (const mqtk::ConnectError& error) {
    std::cout << "4. stop() ended the retrying connect: " << error.what() << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) try {
  mqtk::ClientOptions live = broker_options(argc, argv);
  live.id_prefix = "example-reconnect";
  live.connect_timeout = 3s;
  const std::uint16_t dead = dead_port(argc, argv);
  mqtk::ClientOptions nothing_there = live;
  nothing_there.broker.port = dead;

  connect_to_nothing(nothing_there);
  user_reconnect_loop(live, dead);
  built_in_reconnect(live);
  stop_ends_retrying_connect(live, dead);
  return 0;
} catch (const mqtk::Error& error) {
  std::cerr << "error: " << error.what() << '\n';
  return 1;
}
