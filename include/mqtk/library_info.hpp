#pragma once
/// @file
/// Versions of mqtk's core and of the paho libraries it runs on (read at run time from the
/// shared libraries actually loaded), for `mqtk --version` and bug reports.
/// Thread-safety: safe from any thread.

#include <string>

namespace mqtk {

std::string core_version();
std::string paho_cpp_version();  ///< "1.2.0"
std::string paho_c_version();    ///< "1.3.12", as the loaded libpaho-mqtt3as reports it

}  // namespace mqtk
