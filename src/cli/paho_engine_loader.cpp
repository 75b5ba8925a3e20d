// paho_engine() for the mqtk binary: the paho.mqtt.cpp engine is a module, mqtk-paho.so, loaded
// on first use (core/paho_engine.hpp says why). The binary looks for it next to itself (the
// build tree) and then where `cmake --install` and the .deb put it, relative to the binary, so
// a relocated or unpacked installation still finds its own module.
#include <dlfcn.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "core/paho_engine.hpp"
#include <mqtk/error.hpp>

namespace mqtk::detail {
namespace {

constexpr const char* module_name = "mqtk-paho.so";

std::filesystem::path own_directory() {
  std::array<char, 4096> path{};
  const ssize_t length = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (length <= 0) return {};
  return std::filesystem::path(std::string(path.data(), static_cast<std::size_t>(length)))
      .parent_path();
}

const PahoEngine* load_paho_engine() {
  const std::filesystem::path directory = own_directory();
  const std::vector<std::filesystem::path> candidates{
      directory / module_name, (directory / MQTK_PAHO_MODULE_FROM_BINDIR).lexically_normal()};
  std::string failures;
  for (const std::filesystem::path& candidate : candidates) {
    if (!std::filesystem::exists(candidate)) continue;
    // Never closed: paho's threads live as long as the process.
    void* module = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!module) {
      failures = ::dlerror();
      break;
    }
    using Entry = const PahoEngine* (*)();
    if (auto entry = reinterpret_cast<Entry>(::dlsym(module, "mqtk_paho_engine_v1")))
      return entry();
    failures = candidate.string() + " has no mqtk_paho_engine_v1 (a module of another mqtk version?)";
    break;
  }
  if (failures.empty()) failures = candidates.back().string() + " is missing";
  throw Error(ErrorCategory::runtime,
              "mqtk's paho engine cannot be loaded: " + failures);
}

}  // namespace

const PahoEngine& paho_engine() {
  static const PahoEngine* const engine = load_paho_engine();  // a throw leaves it to the next call
  return *engine;
}

}  // namespace mqtk::detail
