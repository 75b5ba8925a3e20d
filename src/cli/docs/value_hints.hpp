#pragma once
// What CLI11 cannot tell the docs about an option's value: a readable name for it (CLI11 only
// knows TEXT/INT/FLOAT) and, for options checked in code rather than by a CLI11 validator, the
// words or kind of path a shell should complete. Keyed by spelling, so one entry serves every
// subcommand that shares the flag.

#include <optional>
#include <string_view>

#include "cli/docs/command_model.hpp"

namespace mqtk::cli::docs {

struct ValueHint {
  std::string_view option;      // "-V", "--queue": any one spelling of the option
  std::string_view value_name;  // "" keeps the name derived from the long option
  ValueKind kind = ValueKind::text;
  std::string_view choices;     // space separated, with ValueKind::choice
};

// The hint of the first spelling that has one.
std::optional<ValueHint> find_value_hint(const std::vector<std::string>& spellings);

}  // namespace mqtk::cli::docs
