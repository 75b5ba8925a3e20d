#include <mqtk/library_info.hpp>

#include "core/paho_engine.hpp"
#include "core/version.hpp"
#include <mqtk/error.hpp>

namespace mqtk {

std::string core_version() { return version; }

// Asking for paho's version loads the paho engine where it is a module; a binary without the
// module still reports its own version.
std::string paho_cpp_version() {
  try {
    return detail::paho_engine().cpp_version();
  } catch (const Error&) {
    return "not installed";
  }
}

std::string paho_c_version() {
  try {
    return detail::paho_engine().c_version();
  } catch (const Error&) {
    return "not installed";
  }
}

}  // namespace mqtk
