// Topic validation and matching, MQTT 5.0 section 4.7 (and 4.8.2 for shared subscriptions).
//
// Problem strings are one line starting in lower case so callers can prefix them. Byte offsets
// in them count from 0, like std::string indices. Checks run in a fixed order (empty, length,
// encoding, structure) so that one input always yields the same problem.
//
// topic_matches() is on the hot path of every received message: it walks both strings level by
// level with string_view only and never allocates.

#include <mqtk/topic.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <mqtk/error.hpp>

namespace mqtk {
namespace {

constexpr std::string_view share_prefix = "$share/";

// Length of the well-formed UTF-8 sequence at `pos`, or 0 when it is malformed: a stray
// continuation byte, an overlong form, a surrogate (U+D800..U+DFFF), a code point above
// U+10FFFF, or a sequence cut short by the end of the string (Unicode table 3-7).
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) noexcept {
  const auto byte_at = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte_at(pos);
  if (lead < 0x80) return 1;

  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // below is overlong
    if (lead == 0xED) second_max = 0x9F;  // above are surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // below is overlong
    if (lead == 0xF4) second_max = 0x8F;  // above is beyond U+10FFFF
  } else {
    return 0;  // 0x80..0xC1 (continuation or overlong lead) and 0xF5..0xFF
  }
  if (text.size() - pos < length) return 0;
  const unsigned char second = byte_at(pos + 1);
  if (second < second_min || second > second_max) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if ((byte_at(pos + i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

// `noun` is "topic" or "topic filter", so the message names what the user passed.
std::string encoding_problem(std::string_view text, std::string_view noun) {
  if (text.empty()) return std::string(noun) + " must not be empty";
  if (text.size() > max_topic_bytes) {
    return std::string(noun) + " is " + std::to_string(text.size()) + " bytes, the limit is " +
           std::to_string(max_topic_bytes);
  }
  for (std::size_t pos = 0; pos < text.size();) {
    if (text[pos] == '\0') {
      return std::string(noun) + " contains U+0000 at byte " + std::to_string(pos);
    }
    const std::size_t length = utf8_sequence_length(text, pos);
    if (length == 0) return "invalid UTF-8 at byte " + std::to_string(pos);
    pos += length;
  }
  return {};
}

// Wildcard placement (4.7.1.2, 4.7.1.3) in a filter that already passed encoding_problem().
std::string wildcard_problem(std::string_view filter) {
  std::size_t level_start = 0;
  while (true) {
    const std::size_t slash = filter.find('/', level_start);
    const bool last_level = slash == std::string_view::npos;
    const std::string_view level =
        filter.substr(level_start, last_level ? std::string_view::npos : slash - level_start);
    if (level.find('#') != std::string_view::npos && (level != "#" || !last_level)) {
      return "'#' must be the last level and occupy a whole level";
    }
    if (level.find('+') != std::string_view::npos && level != "+") {
      return "'+' must occupy a whole level";
    }
    if (last_level) return {};
    level_start = slash + 1;
  }
}

bool contains_wildcard(std::string_view text) noexcept {
  return text.find_first_of("+#") != std::string_view::npos;
}

// Where the matched filter starts: after "$share/{group}/" for a shared subscription, else 0.
// Only meaningful for a filter that is valid.
std::size_t match_offset_of(std::string_view filter) noexcept {
  if (!filter.starts_with(share_prefix)) return 0;
  return filter.find('/', share_prefix.size()) + 1;
}

}  // namespace

std::string quote_for_message(std::string_view value) {
  constexpr std::size_t shown_bytes = 80;
  constexpr char hex_digits[] = "0123456789abcdef";
  std::string quoted = "'";
  std::size_t pos = 0;
  while (pos < value.size() && pos < shown_bytes) {
    const auto byte = static_cast<unsigned char>(value[pos]);
    const std::size_t length = utf8_sequence_length(value, pos);
    if (length == 0 || byte < 0x20 || byte == 0x7F) {
      quoted += "\\x";
      quoted += hex_digits[byte >> 4];
      quoted += hex_digits[byte & 0x0F];
      ++pos;
    } else {
      quoted.append(value.substr(pos, length));
      pos += length;
    }
  }
  if (pos < value.size()) quoted += "...";
  quoted += '\'';
  return quoted;
}

std::string topic_name_problem(std::string_view name) {
  std::string problem = encoding_problem(name, "topic");
  if (problem.empty() && contains_wildcard(name)) {
    problem = "topic name must not contain wildcards '+' or '#'";
  }
  return problem;
}

std::string topic_filter_problem(std::string_view filter) {
  std::string problem = encoding_problem(filter, "topic filter");
  if (!problem.empty()) return problem;
  if (!filter.starts_with(share_prefix)) return wildcard_problem(filter);

  const std::string_view rest = filter.substr(share_prefix.size());
  const std::size_t slash = rest.find('/');
  const std::string_view group = rest.substr(0, slash);
  if (group.empty()) return "shared subscription group must not be empty";
  if (contains_wildcard(group)) return "shared subscription group must not contain '+' or '#'";
  if (slash == std::string_view::npos || slash + 1 == rest.size()) {
    return "shared subscription needs a topic filter after '$share/" + std::string(group) + "/'";
  }
  return wildcard_problem(rest.substr(slash + 1));
}

bool topic_matches(std::string_view filter, std::string_view topic) noexcept {
  // 4.7.2: a filter starting with a wildcard does not match a topic starting with '$'.
  if (!topic.empty() && topic.front() == '$' && !filter.empty() &&
      (filter.front() == '+' || filter.front() == '#')) {
    return false;
  }
  if (!contains_wildcard(filter)) return filter == topic;

  std::size_t filter_pos = 0;
  std::size_t topic_pos = 0;
  bool topic_exhausted = false;  // every topic level is consumed, but the filter has more
  while (true) {
    const std::size_t filter_slash = filter.find('/', filter_pos);
    const bool filter_last = filter_slash == std::string_view::npos;
    const std::string_view filter_level =
        filter.substr(filter_pos, filter_last ? std::string_view::npos : filter_slash - filter_pos);
    // '#' also matches the parent level: "sport/#" matches "sport".
    if (filter_level == "#") return true;
    if (topic_exhausted) return false;

    const std::size_t topic_slash = topic.find('/', topic_pos);
    const bool topic_last = topic_slash == std::string_view::npos;
    const std::string_view topic_level =
        topic.substr(topic_pos, topic_last ? std::string_view::npos : topic_slash - topic_pos);
    if (filter_level != "+" && filter_level != topic_level) return false;

    if (filter_last) return topic_last;
    filter_pos = filter_slash + 1;
    if (topic_last) {
      topic_exhausted = true;
    } else {
      topic_pos = topic_slash + 1;
    }
  }
}

Topic::Topic(std::string name) : name_(std::move(name)) {
  if (std::string problem = topic_name_problem(name_); !problem.empty()) {
    throw UsageError("invalid topic " + quote_for_message(name_) + ": " + problem);
  }
}

TopicFilter::TopicFilter(std::string filter) : filter_(std::move(filter)) {
  if (std::string problem = topic_filter_problem(filter_); !problem.empty()) {
    throw UsageError("invalid topic filter " + quote_for_message(filter_) + ": " + problem);
  }
  match_offset_ = match_offset_of(filter_);
  if (match_offset_ != 0) {
    share_group_ = filter_.substr(share_prefix.size(), match_offset_ - share_prefix.size() - 1);
  }
  has_wildcards_ = contains_wildcard(match_filter());
}

std::string_view TopicFilter::match_filter() const noexcept {
  return std::string_view(filter_).substr(match_offset_);
}

bool TopicFilter::has_wildcards() const noexcept { return has_wildcards_; }

bool TopicFilter::matches(std::string_view topic) const noexcept {
  if (!has_wildcards_) return match_filter() == topic;
  return topic_matches(match_filter(), topic);
}

}  // namespace mqtk
