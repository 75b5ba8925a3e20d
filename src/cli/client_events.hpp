#pragma once
// Reports the core client's connection events on stderr (never stdout): reconnect progress at
// warning level so users see it without -d, the rest at info.

#include <mqtk/client.hpp>

namespace mqtk::cli {

void log_client_event(const ClientEvent& event);

}  // namespace mqtk::cli
