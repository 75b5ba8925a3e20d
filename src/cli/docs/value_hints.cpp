#include "cli/docs/value_hints.hpp"

#include <array>

namespace mqtk::cli::docs {
namespace {

using enum ValueKind;

constexpr ValueHint named(std::string_view option, std::string_view value_name) {
  return {option, value_name, text, ""};
}
constexpr ValueHint path(std::string_view option, std::string_view value_name, ValueKind kind) {
  return {option, value_name, kind, ""};
}
constexpr ValueHint words(std::string_view option, std::string_view value_name,
                          std::string_view choices) {
  return {option, value_name, choice, choices};
}

// Choices listed here win over those read from a CLI11 IsMember check, so an alias kept for
// compatibility (--overflow drop-new) is accepted but not advertised.
constexpr std::array hints{
    words("-V", "VERSION", "mqttv31 mqttv311 mqttv5 3.1 3.1.1 5"),
    named("-k", "SECONDS"),
    named("-x", "SECONDS"),
    named("--connect-timeout", "SECONDS"),
    named("-D", "COMMAND NAME VALUE"),
    named("--ws-header", "HEADER"),
    named("--proxy", "URL"),
    named("-u", "USER"),
    named("-P", "PASSWORD"),
    path("--password-file", "FILE", file),
    words("--will-qos", "QOS", "0 1 2"),
    path("--cafile", "FILE", file),
    path("--capath", "DIR", directory),
    path("--cert", "FILE", file),
    path("--key", "FILE", file),
    named("--key-password", "PASSWORD"),
    named("--tls-alpn", "PROTOCOL"),
    words("--tls-version", "VERSION", "tlsv1.3 tlsv1.2 tlsv1.1"),
    named("--profile", "NAME"),
    named("--reconnect-min", "SECONDS"),
    named("--reconnect-max", "SECONDS"),
    words("--log-level", "LEVEL", "trace debug info warn error off"),
    named("-T", "FILTER"),
    named("-U", "FILTER"),
    named("--priority", "FILTER"),
    named("-q", "QOS"),
    named("-C", "N"),
    named("-W", "SECONDS"),
    named("--until", "EXPR"),
    named("-F", "FORMAT"),
    words("--queue", "ORDER", "fifo lifo priority"),
    named("--max-queued", "N"),
    words("--overflow", "POLICY", "block drop-oldest drop-newest"),
    named("-m", "PAYLOAD"),
    path("-f", "FILE", file),
    named("--size", "N"),
    words("--format", "ENCODING", "hex base64"),
    named("--repeat", "N"),
    named("--repeat-delay", "SECONDS"),
    named("--ack-timeout", "SECONDS"),
    named("--speed", "X"),
    words("--on-error", "ACTION", "stop skip"),
    named("--correlation-data", "DATA"),
    named("--retain-handling", "N"),
};

}  // namespace

std::optional<ValueHint> find_value_hint(const std::vector<std::string>& spellings) {
  for (const std::string& spelling : spellings)
    for (const ValueHint& hint : hints)
      if (hint.option == spelling) return hint;
  return std::nullopt;
}

}  // namespace mqtk::cli::docs
