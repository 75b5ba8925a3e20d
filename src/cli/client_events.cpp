#include "cli/client_events.hpp"

#include <spdlog/spdlog.h>

namespace mqtk::cli {

void log_client_event(const ClientEvent& event) {
  switch (event.kind) {
    case ClientEventKind::connected:
      spdlog::warn("reconnected ({})", event.detail);
      break;
    case ClientEventKind::connection_lost:
      spdlog::warn("connection lost: {}", event.detail);
      break;
    case ClientEventKind::disconnected_by_broker:
      spdlog::warn("the broker closed the connection: {}", event.detail);
      break;
    case ClientEventKind::reconnecting:
      spdlog::info("reconnecting in {:.1f} s", static_cast<double>(event.delay.count()) / 1000.0);
      break;
    case ClientEventKind::reconnect_failed:
      spdlog::warn("reconnect failed: {}", event.detail);
      break;
    case ClientEventKind::resubscribed:
      spdlog::info("{}", event.detail);
      break;
    case ClientEventKind::session_lost:
      spdlog::warn("{}", event.detail);
      break;
    case ClientEventKind::publish_dropped:
      spdlog::error("message dropped: {}", event.detail);
      break;
  }
}

}  // namespace mqtk::cli
