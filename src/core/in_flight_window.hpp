#pragma once
// Internal to the core: how many QoS>0 publishes may await acknowledgement at once. One rule
// for the client's flow control (client_publish.cpp), the native engine's receive coalescing
// (native_transport_loop.cpp) and the bridge forwarder's window.

#include <algorithm>
#include <cstddef>
#include <optional>

#include <mqtk/client.hpp>
#include <mqtk/client_options.hpp>

namespace mqtk::detail {

// ClientOptions::max_inflight (at least 1), lowered to the broker's v5 receive maximum when the
// CONNACK granted one.
inline std::size_t in_flight_window(const ClientOptions& options,
                                    const std::optional<ConnectResult>& connack) {
  std::size_t window = std::max<std::size_t>(options.max_inflight, 1);
  if (connack && connack->receive_maximum)
    window = std::min<std::size_t>(window, *connack->receive_maximum);
  return window;
}

}  // namespace mqtk::detail
