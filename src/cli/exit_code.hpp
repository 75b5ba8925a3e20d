#pragma once
// The one exit-status contract of every subcommand (README "Exit status", man page EXIT STATUS).

#include <csignal>

#include <mqtk/error.hpp>

namespace mqtk::cli {

enum class ExitCode : int {
  ok = 0,
  runtime = 1,      // runtime error, broker refused an operation, stdout write error
  usage = 2,        // bad flag, invalid topic or value, unreadable input file
  connect = 3,      // could not connect: network, DNS, TLS, or CONNACK refusal
  timeout = 4,      // -W elapsed before the work was done, or QoS>0 acks missing at exit
  interrupted = 130,  // SIGINT interrupted unfinished work
  terminated = 143,   // SIGTERM interrupted unfinished work
};

constexpr int to_int(ExitCode code) noexcept { return static_cast<int>(code); }

// 130 after SIGINT, 143 after SIGTERM: a signal that interrupted unfinished work.
constexpr ExitCode exit_code_for_signal(int signal) noexcept {
  return signal == SIGTERM ? ExitCode::terminated : ExitCode::interrupted;
}

constexpr ExitCode exit_code_for(ErrorCategory category) noexcept {
  switch (category) {
    case ErrorCategory::usage: return ExitCode::usage;
    case ErrorCategory::connect: return ExitCode::connect;
    case ErrorCategory::timeout: return ExitCode::timeout;
    case ErrorCategory::protocol: return ExitCode::runtime;
    case ErrorCategory::runtime: return ExitCode::runtime;
  }
  return ExitCode::runtime;
}

}  // namespace mqtk::cli
