#pragma once
// The hand-written parts of the man pages, kept beside the generator so prose and flags are
// reviewed together. Text is a small markup that troff.hpp renders:
//   blocks are separated by blank lines;
//   "## Title"                  a subsection;
//   lines indented 4 spaces     a verbatim block (commands, output);
//   "- item" lines              a bullet list (continuation lines indented);
//   "* TERM :: definition"      a definition list (continuation lines indented);
//   anything else               a paragraph; `code` is set in bold everywhere.

#include <string_view>
#include <vector>

#include "cli/exit_code.hpp"

namespace mqtk::cli::docs {

struct ProseSection {
  std::string_view title;  // a man page section, e.g. "OUTPUT FORMAT"
  std::string_view text;
};

struct CommandProse {
  std::string_view description;            // DESCRIPTION
  std::vector<ProseSection> sections;      // after OPTIONS
  std::string_view exit_notes;             // after the common EXIT STATUS list
  std::string_view examples;               // EXAMPLES
  std::vector<std::string_view> see_also;  // beyond the mqtk pages: "mosquitto_sub(1)"
};

// The top-level page (command "") or one subcommand's. A command without written prose (a new
// one) gets a DESCRIPTION made from its summary and no examples.
CommandProse prose_for(std::string_view command, std::string_view summary);

struct ExitStatusDoc {
  ExitCode code;
  std::string_view meaning;
};
std::vector<ExitStatusDoc> exit_statuses();

struct EnvironmentDoc {
  std::string_view name;
  std::string_view meaning;
};
std::vector<EnvironmentDoc> environment_variables();

// FILES, the same on every page: the configuration files every command reads.
std::string_view files_text();

}  // namespace mqtk::cli::docs
