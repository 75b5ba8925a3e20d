#include "core/paho_engine.hpp"

#include <cstring>

#include <MQTTAsync.h>
#include <mqtt/async_client.h>

namespace mqtk::detail {
namespace {

std::string paho_cpp_version() {
  const auto v = mqtt::VERSION;
  return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xFF) + "." +
         std::to_string((v >> 8) & 0xFF);
}

std::string paho_c_version() {
  for (const MQTTAsync_nameValue* entry = MQTTAsync_getVersionInfo(); entry && entry->name; ++entry)
    if (std::strcmp(entry->name, "Version") == 0 && entry->value) return entry->value;
  return "unknown";
}

constexpr PahoEngine linked_engine{make_paho_transport, paho_cpp_version, paho_c_version};

}  // namespace
}  // namespace mqtk::detail

extern "C" const mqtk::detail::PahoEngine* mqtk_paho_engine_v1() { return &mqtk::detail::linked_engine; }
