#pragma once
// The command tree as plain data, read once from CLI11, so the man page and the bash, zsh and
// fish generators all see the same flags and none of them includes CLI11 (ripgrep generates its
// man page and completions from one flag list the same way).

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mqtk::cli::docs {

// What a shell should offer for an option's value.
enum class ValueKind { none, text, choice, file, directory };

struct OptionDoc {
  std::vector<std::string> spellings;  // "-h", "--host", "--no-reconnect": shorts first
  std::string description;
  std::string group;                   // CLI11 help group
  ValueKind value = ValueKind::none;
  std::string value_name;              // "HOST", "COMMAND NAME VALUE"; empty for flags
  std::vector<std::string> choices;    // ValueKind::choice
  bool repeatable = false;
  bool positional = false;             // spellings holds its one name, not a flag
};

struct CommandDoc {
  std::string name;     // "sub"
  std::string summary;  // the CLI11 description
  std::vector<OptionDoc> options;
};

struct ProgramDoc {
  std::string name;     // "mqtk"
  std::string summary;  // the root description, without a leading "mqtk: "
  std::string version;
  // The root's own options; fallthrough() makes them valid after a subcommand too.
  std::vector<OptionDoc> global_options;
  std::vector<CommandDoc> commands;  // visible ones, in registration order
};

// Hidden subcommands and options (CLI11 group "") are left out.
ProgramDoc describe_program(const CLI::App& root, std::string version);

// Help groups in order of first appearance.
std::vector<std::string> groups_of(const std::vector<OptionDoc>& options);

// Whether the word that follows this option on the command line is its value.
inline bool takes_value(const OptionDoc& option) {
  return option.value != ValueKind::none && !option.positional;
}

}  // namespace mqtk::cli::docs
