// Processing messages concurrently: a pool of worker threads takes messages from the one
// incoming queue, so a slow, I/O-bound handler (simulated by a sleep) does not hold up the
// others. The queue is thread-safe; Client::stop() closes it, which ends every worker's pop().
//
// Usage: worker_pool [HOST [PORT]]   (else $MQTT_HOST, $MQTT_PORT, else localhost:1883)

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <set>
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

// What the workers did, shared between them.
struct Progress {
  std::mutex mutex;
  std::condition_variable changed;
  std::set<std::string> handled;
  std::size_t busy = 0;
  std::size_t most_busy_at_once = 0;
};

void handle(const mqtk::Message& message, Progress& progress) {
  {
    std::lock_guard lock(progress.mutex);
    progress.most_busy_at_once = std::max(progress.most_busy_at_once, ++progress.busy);
  }
  std::this_thread::sleep_for(50ms);  // stands for a database write or an HTTP call
  std::lock_guard lock(progress.mutex);
  --progress.busy;
  progress.handled.insert(message.payload);
  progress.changed.notify_all();
}

}  // namespace

int main(int argc, char** argv) try {
  constexpr std::size_t worker_count = 4;
  constexpr std::size_t job_count = 12;
  mqtk::ClientOptions options = broker_options(argc, argv);
  options.id_prefix = "example-workers";
  mqtk::Client client(options);
  client.connect();
  client.subscribe({{"example/workers/jobs", {.qos = 1}}}).get();

  Progress progress;
  std::vector<std::jthread> workers;
  for (std::size_t i = 0; i < worker_count; ++i) {
    workers.emplace_back([&] {
      // pop() returns nullopt once the queue is closed (by stop()) and drained.
      while (std::optional<mqtk::Message> message = client.messages().pop())
        handle(*message, progress);
    });
  }

  for (std::size_t job = 1; job <= job_count; ++job) {
    client.publish({.topic = "example/workers/jobs",
                    .payload = "job-" + std::to_string(job),
                    .qos = 1});
  }
  bool all_done = false;
  {
    std::unique_lock lock(progress.mutex);
    all_done = progress.changed.wait_for(lock, 10s,
                                         [&] { return progress.handled.size() == job_count; });
  }
  client.stop();    // wakes the idle workers: their pop() returns nullopt
  workers.clear();  // joins them

  std::cout << "handled " << progress.handled.size() << " of " << job_count << " jobs on "
            << worker_count << " workers\n";
  std::cout << "several handlers ran at once: " << std::boolalpha
            << (progress.most_busy_at_once > 1) << '\n';
  return all_done ? 0 : 1;
} catch (const mqtk::Error& error) {
  std::cerr << "error: " << error.what() << '\n';
  return 1;
}
