#pragma once
// The generated documents: shell completions and man pages, each a pure function of the
// command tree (command_model.hpp), so `mqtk generate` and the drift test produce the same bytes.

#include <string>
#include <vector>

#include "cli/docs/command_model.hpp"

namespace mqtk::cli::docs {

std::string bash_completion(const ProgramDoc& program);
std::string zsh_completion(const ProgramDoc& program);
std::string fish_completion(const ProgramDoc& program);

struct ManPage {
  std::string file_name;  // "mqtk.1", "mqtk-sub.1"
  std::string text;
};

// mqtk(1) first, then one page per visible subcommand.
std::vector<ManPage> man_pages(const ProgramDoc& program);

}  // namespace mqtk::cli::docs
