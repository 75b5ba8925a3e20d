#pragma once
// Internal to the core: how Client reaches the paho.mqtt.cpp engine (paho_transport.cpp).
//
// The library links paho in (paho_engine_linked.cpp). The mqtk binary does not: it loads the
// engine as a module on first use (src/cli/paho_engine_loader.cpp), because binding paho.mqtt.cpp
// and paho.mqtt.c at start-up costs about 1 ms of dynamic relocation, a third of a one-shot
// `mqtk pub`, on runs that never use paho (README "Engines").

#include <memory>
#include <string>

#include "core/transport.hpp"

namespace mqtk::detail {

struct PahoEngine {
  std::unique_ptr<Transport> (*make_transport)(const ClientOptions& options,
                                               const std::string& client_id,
                                               TransportEvents& events);
  std::string (*cpp_version)();  // "1.2.0"
  std::string (*c_version)();    // as the loaded libpaho-mqtt3as reports it
};

// The engine, linked in or loaded on the first call; throws Error (runtime) when the module
// cannot be loaded, naming it and why.
const PahoEngine& paho_engine();

}  // namespace mqtk::detail

// The module's one exported symbol; the version in the name changes with PahoEngine's layout,
// so a binary never runs a module built for a different table.
extern "C" const mqtk::detail::PahoEngine* mqtk_paho_engine_v1();
