#pragma once
// Decides whether a payload is JSON, and whether it is JSON that `sub --json` may embed.
// One allocation-free pass over the bytes; a DOM parse only in rare undecided cases.

#include <cstddef>
#include <string_view>

namespace mqtk::cli {

// Deeper payloads are never embedded (nor recognised by is_json): nlohmann's dump() recurses
// once per level, and the checker keeps a fixed-size stack.
inline constexpr std::size_t max_embedded_json_depth = 512;

// True when `text` is one JSON value (RFC 8259, any type, whitespace around tokens allowed,
// valid UTF-8, no lone surrogate escapes), nested at most max_embedded_json_depth deep.
bool is_json(std::string_view text);

// The embedding rule of `mqtk sub --json`: true when `text` is JSON that nlohmann's compact
// dump() of the parsed value reproduces byte for byte, so `pub --jsonl` can rebuild the exact
// payload from the parsed value. Refused: any whitespace between tokens; escapes dump() does
// not write ("\/", "\u00e9", "\u001F", "\u0008"); numbers dump() would re-format ("-0", "1.50",
// "1E5", integers beyond 64 bits); repeated keys in an object.
bool is_compact_json(std::string_view text);

// Greatest [ / { nesting of `text`, brackets inside strings not counted.
std::size_t json_nesting_depth(std::string_view text) noexcept;

}  // namespace mqtk::cli
