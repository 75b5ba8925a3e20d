#include <mqtk/library_info.hpp>

#include "core/paho_engine.hpp"
#include "core/version.hpp"
#include <mqtk/error.hpp>

namespace mqtk {
namespace {

// Asking for paho's version loads the paho engine where it is a module; a binary without the
// module still reports its own version.
std::string paho_version(std::string (*read_version)()) try {
  return read_version();
} catch (const Error&) {
  return "not installed";
}

}  // namespace

std::string core_version() { return version; }

std::string paho_cpp_version() {
  return paho_version([] { return detail::paho_engine().cpp_version(); });
}

std::string paho_c_version() {
  return paho_version([] { return detail::paho_engine().c_version(); });
}

}  // namespace mqtk
