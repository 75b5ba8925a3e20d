#include "cli/docs/shell_words.hpp"

#include <algorithm>
#include <cctype>

namespace mqtk::cli::docs {

std::string single_quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string identifier(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return out;
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (const std::string& word : words) {
    if (!out.empty()) out += separator;
    out += word;
  }
  return out;
}

std::vector<OptionDoc> options_after(const ProgramDoc& program, const CommandDoc& command) {
  std::vector<OptionDoc> options = command.options;
  for (const OptionDoc& global : program.global_options) {
    const bool shadowed = std::any_of(options.begin(), options.end(), [&](const OptionDoc& own) {
      return std::find_first_of(own.spellings.begin(), own.spellings.end(),
                                global.spellings.begin(), global.spellings.end()) !=
             own.spellings.end();
    });
    if (!shadowed) options.push_back(global);
  }
  return options;
}

std::string short_description(std::string_view description) {
  // Only a parenthesis that closes the text: "(default: 60)", "(or $MQTK_HOST)"; one inside
  // ("mqttv311 (default) or mqttv5") carries meaning.
  if (!description.ends_with(')')) return std::string(description);
  const auto open = description.rfind(" (");
  if (open == std::string_view::npos || open == 0) return std::string(description);
  return std::string(description.substr(0, open));
}

}  // namespace mqtk::cli::docs
