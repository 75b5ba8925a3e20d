#include <cstdio>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "cli/command.hpp"
#include <mqtk/client.hpp>

namespace mqtk::cli {

ExitCode finish_client(Client& client, ExitCode code, std::chrono::milliseconds grace) {
  finish_process(code, client.disconnect(grace));
}

ExitCode finish_process(ExitCode code, std::size_t unacknowledged) {
  if (unacknowledged > 0) {
    spdlog::error("{} QoS>0 message(s) not acknowledged by the broker", unacknowledged);
    if (code != ExitCode::usage) code = ExitCode::timeout;
  }
  spdlog::default_logger()->flush();
  std::fflush(nullptr);
  std::_Exit(to_int(code));
}

}  // namespace mqtk::cli
