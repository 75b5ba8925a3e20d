#pragma once
// Text checks shared by every test (one definition, so unity builds see no ambiguous overloads).

#include <string_view>

namespace mqtk::test {

inline bool contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

}  // namespace mqtk::test
