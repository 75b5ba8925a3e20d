#include "cli/docs/troff.hpp"

#include <vector>

namespace mqtk::cli::docs {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

// `code` -> bold; everything else escaped.
std::string inline_markup(std::string_view text) {
  std::string out;
  bool bold = false;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t tick = std::min(text.find('`', start), text.size());
    out += troff_escape(text.substr(start, tick - start));
    if (tick < text.size()) {
      out += bold ? "\\fR" : "\\fB";
      bold = !bold;
    }
    start = tick + 1;
  }
  if (bold) out += "\\fR";
  return out;
}

// Each item of a list block: its first line without the marker, then its continuation lines.
std::vector<std::string> list_items(const std::vector<std::string_view>& lines,
                                    std::string_view marker) {
  std::vector<std::string> items;
  for (std::string_view line : lines) {
    if (line.starts_with(marker)) {
      items.emplace_back(line.substr(marker.size()));
    } else if (!items.empty()) {
      items.back() += " ";
      items.back() += trim(line);
    }
  }
  return items;
}

void append_paragraph_lines(std::string& out, const std::vector<std::string_view>& lines) {
  for (std::string_view line : lines) append_text_line(out, inline_markup(trim(line)));
}

void append_block(std::string& out, const std::vector<std::string_view>& lines, bool& fresh) {
  const std::string_view first = lines.front();
  if (first.starts_with("## ")) {
    out += ".SS " + troff_escape(first.substr(3)) + "\n";
    fresh = true;
    return;
  }
  if (first.starts_with("    ")) {
    // Verbatim: no filling, and indented so commands stand apart from the prose.
    out += fresh ? "" : ".PP\n";
    out += ".RS 4\n.EX\n";
    for (std::string_view line : lines)
      append_text_line(out, troff_escape(line.substr(std::min<std::size_t>(4, line.size()))));
    out += ".EE\n.RE\n";
  } else if (first.starts_with("- ")) {
    for (const std::string& item : list_items(lines, "- ")) {
      out += ".IP \\(bu 2\n";
      append_text_line(out, inline_markup(item));
    }
  } else if (first.starts_with("* ")) {
    for (const std::string& item : list_items(lines, "* ")) {
      const auto separator = item.find(" :: ");
      out += ".TP\n";
      append_text_line(out, "\\fB" + troff_escape(item.substr(0, separator)) + "\\fR");
      if (separator != std::string::npos) append_text_line(out, inline_markup(item.substr(separator + 4)));
    }
  } else {
    if (!fresh) out += ".PP\n";
    append_paragraph_lines(out, lines);
  }
  fresh = false;
}

}  // namespace

std::string troff_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  return out;
}

void append_text_line(std::string& out, std::string_view line) {
  if (line.starts_with('.') || line.starts_with('\'')) out += "\\&";
  out += line;
  out += '\n';
}

void append_markup(std::string& out, std::string_view markup) {
  bool fresh = true;
  std::vector<std::string_view> block;
  for (std::string_view line : split_lines(markup)) {
    if (trim(line).empty()) {
      if (!block.empty()) append_block(out, block, fresh);
      block.clear();
    } else {
      block.push_back(line);
    }
  }
  if (!block.empty()) append_block(out, block, fresh);
}

}  // namespace mqtk::cli::docs
