#include <mqtk/library_info.hpp>

#include <cstring>

#include <MQTTAsync.h>
#include <mqtt/async_client.h>

#include "core/version.hpp"

namespace mqtk {

std::string core_version() { return version; }

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

}  // namespace mqtk
