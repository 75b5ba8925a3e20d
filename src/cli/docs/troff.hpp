#pragma once
// man(7) text from plain strings and from the prose markup of prose.hpp.

#include <string>
#include <string_view>

namespace mqtk::cli::docs {

// Escapes text for use inside a troff line: backslashes print as themselves and '-' becomes
// \- so options and values copied from the page keep an ASCII hyphen-minus.
std::string troff_escape(std::string_view text);

// Appends `line` as one input line, guarding a leading '.' or '\'' that troff would take as a
// request. `line` must already be escaped.
void append_text_line(std::string& out, std::string_view line);

// Renders prose markup (see prose.hpp) into `out`. The first block needs no paragraph request
// because it follows a .SH or .SS.
void append_markup(std::string& out, std::string_view markup);

}  // namespace mqtk::cli::docs
