#pragma once
// Small helpers the completion generators share.

#include <string>
#include <string_view>
#include <vector>

#include "cli/docs/command_model.hpp"

namespace mqtk::cli::docs {

// 'text' for POSIX shells (bash, zsh): a quote inside becomes '\''.
std::string single_quoted(std::string_view text);

// A shell function name part: anything but [A-Za-z0-9_] becomes '_'.
std::string identifier(std::string_view text);

std::string join(const std::vector<std::string>& words, std::string_view separator);

// The options valid after `command`: its own, then the root's (fallthrough), without the
// root's --help twice.
std::vector<OptionDoc> options_after(const ProgramDoc& program, const CommandDoc& command);

// "Broker port (default: 1883)" -> "Broker port": completion menus have one short line.
std::string short_description(std::string_view description);

}  // namespace mqtk::cli::docs
