#include "cli/docs/command_model.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

#include <CLI/CLI.hpp>

#include "cli/docs/value_hints.hpp"

namespace mqtk::cli::docs {
namespace {

std::vector<std::string> split_words(std::string_view text, char separator) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find(separator, start), text.size());
    if (end > start) words.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// CLI11 publishes a validator only through the help text of the type: get_type_name() is
// "TEXT:{fifo,lifo,priority}" for IsMember, "TEXT:FILE" for ExistingFile, "TEXT:DIR" for
// ExistingDirectory and "INT:INT in [0 - 2]" for Range. Reading it back recovers the choices
// without a second list to keep in step.
void read_validators(std::string_view type_name, OptionDoc& doc) {
  for (const std::string& part : split_words(type_name, ':')) {
    if (part == "FILE") doc.value = ValueKind::file;
    if (part == "DIR") doc.value = ValueKind::directory;
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      doc.value = ValueKind::choice;
      doc.choices = split_words(std::string_view(part).substr(1, part.size() - 2), ',');
    }
    int low = 0;
    int high = 0;
    // Only small integer ranges are worth offering word by word (QoS, retain handling).
    if (std::sscanf(part.c_str(), "%*s in [%d - %d]", &low, &high) == 2 && high >= low &&
        high - low <= 10) {
      doc.value = ValueKind::choice;
      doc.choices.clear();
      for (int value = low; value <= high; ++value) doc.choices.push_back(std::to_string(value));
    }
  }
}

// "--session-expiry-interval" -> "INTERVAL": the last word of the long name is usually the noun.
std::string derived_value_name(const OptionDoc& doc, std::string_view type_name) {
  std::string base;
  const auto long_name = std::find_if(doc.spellings.begin(), doc.spellings.end(),
                                     [](const std::string& s) { return s.starts_with("--"); });
  if (long_name != doc.spellings.end()) base = long_name->substr(long_name->rfind('-') + 1);
  if (base.empty()) base = type_name.substr(0, type_name.find(':'));
  if (base.empty()) base = "VALUE";
  std::transform(base.begin(), base.end(), base.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return base;
}

OptionDoc describe_option(const CLI::Option& option) {
  OptionDoc doc;
  if (option.get_positional()) {
    doc.positional = true;
    doc.spellings.push_back(option.get_name(true));
  }
  for (const std::string& name : option.get_snames()) doc.spellings.push_back("-" + name);
  for (const std::string& name : option.get_lnames()) doc.spellings.push_back("--" + name);
  doc.description = option.get_description();
  doc.group = option.get_group();
  // -t and -D collect every occurrence, -d counts them; a negatable flag (--reconnect,
  // --no-reconnect) is also TakeAll in CLI11 but only its last occurrence counts.
  doc.repeatable = (option.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll ||
                    option.get_expected_max() > 1) &&
                   option.get_fnames().empty();

  const std::string type_name = option.get_type_name();
  if (option.get_items_expected_max() == 0 || type_name.empty()) return doc;
  doc.value = ValueKind::text;
  read_validators(type_name, doc);

  std::string value_name;
  if (auto hint = find_value_hint(doc.spellings)) {
    value_name = hint->value_name;
    if (hint->kind != ValueKind::text) doc.value = hint->kind;
    if (!hint->choices.empty()) doc.choices = split_words(hint->choices, ' ');
  }
  if (value_name.empty()) {
    value_name = derived_value_name(doc, type_name);
    for (int extra = 1; extra < option.get_items_expected_min(); ++extra)
      value_name += " " + derived_value_name(doc, type_name);
  }
  doc.value_name = doc.positional ? doc.spellings.front() : value_name;
  return doc;
}

std::vector<OptionDoc> describe_options(const CLI::App& app) {
  std::vector<OptionDoc> docs;
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    docs.push_back(describe_option(*option));
  }
  return docs;
}

}  // namespace

ProgramDoc describe_program(const CLI::App& root, std::string version) {
  ProgramDoc program;
  program.name = root.get_name();
  program.summary = root.get_description();
  if (const std::string prefix = program.name + ": "; program.summary.starts_with(prefix))
    program.summary.erase(0, prefix.size());
  program.version = std::move(version);
  program.global_options = describe_options(root);
  // The filtered overload: the plain get_subcommands() lists only the parsed ones.
  const auto visible = [](const CLI::App* sub) { return !sub->get_group().empty(); };
  for (const CLI::App* sub : root.get_subcommands(visible)) {
    CommandDoc command{sub->get_name(), sub->get_description(), describe_options(*sub)};
    // A command with its own subcommands (`bench conn|pub|sub|merge`) is documented as one
    // page and one completion holding the union of their options, each listed once.
    for (const CLI::App* nested : sub->get_subcommands(visible)) {
      for (OptionDoc& option : describe_options(*nested)) {
        const bool known = std::any_of(command.options.begin(), command.options.end(), [&](const OptionDoc& o) {
          return o.spellings == option.spellings;
        });
        if (!known) command.options.push_back(std::move(option));
      }
    }
    program.commands.push_back(std::move(command));
  }
  return program;
}

std::vector<std::string> groups_of(const std::vector<OptionDoc>& options) {
  std::vector<std::string> groups;
  for (const OptionDoc& option : options)
    if (std::find(groups.begin(), groups.end(), option.group) == groups.end())
      groups.push_back(option.group);
  return groups;
}

}  // namespace mqtk::cli::docs
