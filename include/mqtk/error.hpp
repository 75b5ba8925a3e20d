#pragma once
/// @file
/// Errors the core throws. The category decides the CLI's exit code (mapped in one place,
/// src/cli/exit_code.hpp); the message is one human line naming the flag, value or reason.
/// Library users catch mqtk::Error (or one subclass) and branch on category() and
/// reason_code() rather than on message text, which is for people.
/// Thread-safety: immutable once thrown; safe to read from any thread.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mqtk {

/// What kind of failure an Error reports; stable, unlike the message text.
enum class ErrorCategory {
  usage,     ///< bad input from the user: a flag, topic, URL or file
  connect,   ///< could not connect: network, DNS, TLS, or the broker refused
  timeout,   ///< a deadline passed before the work was done
  protocol,  ///< the broker broke the session or refused an operation (SUBACK/PUBACK failure)
  runtime,   ///< anything else at run time (I/O on stdout, internal failures)
};

/// "usage", "connect", "timeout", "protocol" or "runtime", for logs.
constexpr std::string_view to_string(ErrorCategory category) noexcept {
  switch (category) {
    case ErrorCategory::usage: return "usage";
    case ErrorCategory::connect: return "connect";
    case ErrorCategory::timeout: return "timeout";
    case ErrorCategory::protocol: return "protocol";
    case ErrorCategory::runtime: return "runtime";
  }
  return "unknown";
}

/// The base of everything the library throws on purpose.
class Error : public std::runtime_error {
 public:
  Error(ErrorCategory category, const std::string& message,
        std::optional<int> reason_code = std::nullopt)
      : std::runtime_error(message), category_(category), reason_code_(reason_code) {}

  ErrorCategory category() const noexcept { return category_; }
  /// The MQTT reason code (v5) or CONNACK return code (v3) behind the error, when there is one.
  std::optional<int> reason_code() const noexcept { return reason_code_; }

 private:
  ErrorCategory category_;
  std::optional<int> reason_code_;
};

/// Invalid input (topic, filter, URL, option): fix the call, retrying will not help.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(ErrorCategory::usage, message) {}
};

/// The connection could not be made or was refused; reason_code() holds the CONNACK code.
class ConnectError : public Error {
 public:
  explicit ConnectError(const std::string& message, std::optional<int> reason_code = std::nullopt)
      : Error(ErrorCategory::connect, message, reason_code) {}
};

/// A deadline passed before the operation completed.
class TimeoutError : public Error {
 public:
  explicit TimeoutError(const std::string& message) : Error(ErrorCategory::timeout, message) {}
};

/// The broker refused an operation or broke the session; reason_code() says why.
class ProtocolError : public Error {
 public:
  explicit ProtocolError(const std::string& message, std::optional<int> reason_code = std::nullopt)
      : Error(ErrorCategory::protocol, message, reason_code) {}
};

}  // namespace mqtk
