#pragma once
// Free loopback ports for test servers (brokers, relays).

#include <cstdint>

namespace mqtk::test {

// A loopback TCP port that was free a moment ago (bind to 127.0.0.1:0 with SO_REUSEADDR).
// Another process may take it before you bind it: callers retry on "Address already in use".
std::uint16_t free_port();

}  // namespace mqtk::test
