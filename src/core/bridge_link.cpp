#include "core/bridge_link.hpp"

#include <mqtk/error.hpp>

namespace mqtk::detail {

BridgeLink::BridgeLink(BridgeSide side, ClientOptions options,
                       std::vector<Subscription> subscriptions, Bridge::EventHandler events,
                       BridgeCounters& counters)
    : side_(side),
      options_(std::move(options)),
      subscriptions_(std::move(subscriptions)),
      events_(std::move(events)),
      counters_(counters) {}

void BridgeLink::open(bool retry) {
  ClientOptions options = options_;
  options.reconnect.retry_initial_connect = retry;
  auto client = std::make_shared<Client>(std::move(options));
  {
    std::lock_guard lock(mutex_);
    if (stopped_) throw ConnectError("the bridge is stopping");
    opening_ = client;
  }
  const auto side = side_;
  client->set_event_handler([this, side](const ClientEvent& event) {
    if (event.kind == ClientEventKind::connected) ++counters_.reconnects[static_cast<int>(side)];
    if (events_) events_(side, event);
  });
  ConnectResult connected;
  try {
    connected = client->connect();
    // Each rule carries its own subscription identifier, so the core sends one SUBSCRIBE each.
    if (!connected.session_present && !subscriptions_.empty()) client->subscribe(subscriptions_).get();
  } catch (const Error& e) {
    {
      std::lock_guard lock(mutex_);
      opening_.reset();
    }
    throw Error(e.category(), std::string(to_string(side_)) + " side: " + e.what(), e.reason_code());
  }
  {
    std::lock_guard lock(mutex_);
    opening_.reset();
    if (stopped_) {
      client->stop();
    }
    client_ = std::move(client);
  }
  changed_.notify_all();
}

std::shared_ptr<Client> BridgeLink::current(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, deadline, [&] { return stopped_ || client_ != nullptr; });
  return client_;
}

std::shared_ptr<Client> BridgeLink::close(std::chrono::milliseconds grace) {
  std::shared_ptr<Client> closing;
  {
    std::lock_guard lock(mutex_);
    closing = std::move(client_);
  }
  changed_.notify_all();
  if (closing) closing->disconnect(grace);
  return closing;
}

void BridgeLink::wait_replaced(const std::shared_ptr<Client>& old,
                               std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return stopped_ || client_ != old; });
}

bool BridgeLink::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

void BridgeLink::stop() {
  std::shared_ptr<Client> open;
  std::shared_ptr<Client> opening;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    open = client_;
    opening = opening_;
  }
  changed_.notify_all();
  if (open) open->stop();
  if (opening) opening->stop();
}

}  // namespace mqtk::detail
