// Topic name and filter validation and matching (src/core/topic) on arbitrary bytes.
// The input is "filter\ntopic" (no newline: the same bytes as both). Checks, beyond "no
// crash": the validators agree with the classes' constructors, a filter without wildcards
// matches exactly its own text, '#' matches every topic that does not start with '$', and a
// valid topic name (other than $share/...) is also a valid filter that matches itself.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <mqtk/error.hpp>
#include <mqtk/topic.hpp>
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view filter_text = input.substr(0, newline);
  const std::string_view topic_text =
      newline == std::string_view::npos ? input : input.substr(newline + 1);

  const std::string filter_problem = mqtk::topic_filter_problem(filter_text);
  const std::string topic_problem = mqtk::topic_name_problem(topic_text);

  bool filter_constructed = false;
  try {
    const mqtk::TopicFilter filter{std::string(filter_text)};
    filter_constructed = true;
    MQTK_FUZZ_CHECK(filter.str() == filter_text);
    if (topic_problem.empty()) {
      const bool matched = filter.matches(topic_text);
      MQTK_FUZZ_CHECK(matched == mqtk::topic_matches(filter.match_filter(), topic_text));
      if (!filter.has_wildcards())
        MQTK_FUZZ_CHECK(matched == (filter.match_filter() == topic_text));
    }
  } catch (const mqtk::UsageError&) {
  }
  MQTK_FUZZ_CHECK(filter_constructed == filter_problem.empty());

  bool topic_constructed = false;
  try {
    const mqtk::Topic topic{std::string(topic_text)};
    topic_constructed = true;
    MQTK_FUZZ_CHECK(topic.str() == topic_text);
  } catch (const mqtk::UsageError&) {
  }
  MQTK_FUZZ_CHECK(topic_constructed == topic_problem.empty());

  // "$share/..." is a valid topic name, but as a filter it is a shared subscription.
  if (topic_problem.empty() && !topic_text.starts_with("$share/")) {
    MQTK_FUZZ_CHECK(mqtk::topic_filter_problem(topic_text).empty());
    MQTK_FUZZ_CHECK(mqtk::topic_matches(topic_text, topic_text));
    MQTK_FUZZ_CHECK(mqtk::topic_matches("#", topic_text) == (topic_text.front() != '$'));
  }
  return 0;
}
