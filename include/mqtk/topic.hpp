#pragma once
/// @file
/// Topic names and topic filters per MQTT 5.0 section 4.7 (also valid for 3.1.1): validation,
/// wildcard matching with the $-prefix rule, and shared subscriptions ($share/group/filter).
/// Thread-safety: the free functions are pure; Topic and TopicFilter are immutable values, safe
/// to share between threads.

#include <string>
#include <string_view>

namespace mqtk {

inline constexpr std::size_t max_topic_bytes = 65535;

/// Why `name` is not a valid topic name (for PUBLISH), or an empty string when it is valid.
/// Checks: not empty, no '+' or '#', no U+0000, valid UTF-8, at most 65535 bytes.
std::string topic_name_problem(std::string_view name);

/// Why `filter` is not a valid topic filter (for SUBSCRIBE), or an empty string when it is valid.
/// Checks the name rules plus wildcard placement and the $share/{group}/{filter} form.
std::string topic_filter_problem(std::string_view filter);

/// `value` (a topic or filter) in quotes as it may appear in a one-line message: control
/// characters and bytes that are not UTF-8 become \xNN, and more than 80 bytes end in "...".
std::string quote_for_message(std::string_view value);

/// True when topic name `topic` matches filter `filter` (the filter part only: pass
/// TopicFilter::match_filter() for a shared subscription). Assumes both are valid.
bool topic_matches(std::string_view filter, std::string_view topic) noexcept;

/// A validated topic name. Throws UsageError naming the problem.
class Topic {
 public:
  explicit Topic(std::string name);
  const std::string& str() const noexcept { return name_; }
  friend bool operator==(const Topic&, const Topic&) = default;

 private:
  std::string name_;
};

/// A validated topic filter, possibly shared. Throws UsageError naming the problem.
class TopicFilter {
 public:
  explicit TopicFilter(std::string filter);

  /// The filter as given, including any $share/group/ prefix: what is sent in SUBSCRIBE.
  const std::string& str() const noexcept { return filter_; }
  /// The part that is matched against topic names (without $share/group/).
  std::string_view match_filter() const noexcept;
  bool is_shared() const noexcept { return !share_group_.empty(); }
  const std::string& share_group() const noexcept { return share_group_; }
  bool has_wildcards() const noexcept;
  bool matches(std::string_view topic) const noexcept;
  friend bool operator==(const TopicFilter&, const TopicFilter&) = default;

 private:
  std::string filter_;
  std::string share_group_;
  std::size_t match_offset_ = 0;
  bool has_wildcards_ = false;  ///< in match_filter(); without any, matching is a string compare
};

}  // namespace mqtk
