// paho_engine() for everything that links the core library: the engine is linked in. The mqtk
// binary defines its own paho_engine() (src/cli/paho_engine_loader.cpp), so the linker never
// takes this file, nor the paho code only it refers to, into the binary.
#include "core/paho_engine.hpp"

namespace mqtk::detail {

const PahoEngine& paho_engine() { return *mqtk_paho_engine_v1(); }

}  // namespace mqtk::detail
