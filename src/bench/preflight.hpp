#pragma once
// Checks before a bench run opens thousands of sockets, so a run fails up front with what to
// change instead of halfway with EMFILE/EADDRNOTAVAIL (emqtt-bench's most reported problem):
// the file limit (raised from soft to hard here), the ephemeral port range, and for a broker on
// this machine, the file limit of a running mosquitto.

#include <cstdint>
#include <string>
#include <vector>

namespace mqtk::bench {

struct PreflightResult {
  std::uint64_t file_limit = 0;       // the soft RLIMIT_NOFILE after raising it
  std::vector<std::string> blocking;  // the run cannot work: each line says what to change
  std::vector<std::string> advice;    // it may work, but likely not as intended
};

// `sockets`: connections this process will open; `local_broker`: the broker's address is a
// loopback one (its limits are then readable from /proc).
PreflightResult run_preflight(std::uint64_t sockets, bool local_broker);

}  // namespace mqtk::bench
