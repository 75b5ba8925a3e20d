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

namespace mqtk {

enum class ErrorCategory {
  usage,     ///< bad input from the user: a flag, topic, URL or file
  connect,   ///< could not connect: network, DNS, TLS, or the broker refused
  timeout,   ///< a deadline passed before the work was done
  protocol,  ///< the broker broke the session or refused an operation (SUBACK/PUBACK failure)
  runtime,   ///< anything else at run time (I/O on stdout, internal failures)
};

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

class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(ErrorCategory::usage, message) {}
};

class ConnectError : public Error {
 public:
  explicit ConnectError(const std::string& message, std::optional<int> reason_code = std::nullopt)
      : Error(ErrorCategory::connect, message, reason_code) {}
};

class TimeoutError : public Error {
 public:
  explicit TimeoutError(const std::string& message) : Error(ErrorCategory::timeout, message) {}
};

class ProtocolError : public Error {
 public:
  explicit ProtocolError(const std::string& message, std::optional<int> reason_code = std::nullopt)
      : Error(ErrorCategory::protocol, message, reason_code) {}
};

}  // namespace mqtk
