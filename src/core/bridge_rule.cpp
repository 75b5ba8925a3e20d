#include "core/bridge_rule.hpp"

#include <mqtk/error.hpp>
#include <mqtk/topic.hpp>

namespace mqtk {
namespace {

std::vector<std::string_view> levels(std::string_view filter) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = filter.find('/', start);
    out.push_back(filter.substr(start, slash == std::string_view::npos ? filter.npos : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

std::string_view without_share(std::string_view filter) {
  if (filter.substr(0, 7) != "$share/") return filter;
  const std::size_t group_end = filter.find('/', 7);
  return group_end == std::string_view::npos ? filter : filter.substr(group_end + 1);
}

}  // namespace

TopicRemap TopicRemap::parse(std::string_view text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos)
    throw UsageError("--remap '" + std::string(text) + "': expected OLD_PREFIX=NEW_PREFIX");
  TopicRemap remap{std::string(text.substr(0, equals)), std::string(text.substr(equals + 1))};
  if (remap.source_prefix.empty() && remap.destination_prefix.empty())
    throw UsageError("--remap '=': both prefixes are empty");
  for (const std::string* prefix : {&remap.source_prefix, &remap.destination_prefix})
    if (prefix->find_first_of("+#") != std::string::npos)
      throw UsageError("--remap '" + std::string(text) + "': a prefix cannot hold + or #");
  return remap;
}

std::string TopicRemap::apply(const std::string& topic) const {
  if (topic.compare(0, source_prefix.size(), source_prefix) != 0) return topic;
  return destination_prefix + topic.substr(source_prefix.size());
}

bool filters_overlap(std::string_view a, std::string_view b) {
  const auto left = levels(without_share(a));
  const auto right = levels(without_share(b));
  const std::size_t common = std::min(left.size(), right.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (left[i] == "#" || right[i] == "#") return true;
    if (left[i] != "+" && right[i] != "+" && left[i] != right[i]) return false;
  }
  if (left.size() == right.size()) return true;
  // "a/#" also matches "a": the longer one may end in a '#' right after the shorter one.
  const auto& longer = left.size() > right.size() ? left : right;
  return longer.size() == common + 1 && longer[common] == "#";
}

std::vector<std::string> destination_filters(const BridgeRule& rule) {
  const std::string_view filter = without_share(rule.filter);
  std::vector<std::string> out;
  if (!rule.remap) {
    out.emplace_back(filter);
    return out;
  }
  const TopicRemap& remap = *rule.remap;
  if (filter.substr(0, remap.source_prefix.size()) == remap.source_prefix) {
    out.push_back(remap.destination_prefix + std::string(filter.substr(remap.source_prefix.size())));
    return out;
  }
  // Topics outside the prefix pass unchanged; those inside it (a wildcard may reach into the
  // prefix) can land anywhere under the new one.
  out.emplace_back(filter);
  if (filters_overlap(filter, remap.source_prefix + "#")) out.push_back(remap.destination_prefix + "#");
  return out;
}

std::optional<std::string> echo_problem(const std::vector<BridgeRule>& rules) {
  for (const BridgeRule& sent : rules)
    for (const BridgeRule& read : rules) {
      if (sent.direction == read.direction) continue;
      for (const std::string& landed : destination_filters(sent))
        if (filters_overlap(landed, read.filter))
          return std::string(sent.direction == BridgeDirection::forward ? "-t '" : "--reverse '") +
                 sent.filter + "' publishes to '" + landed + "', which " +
                 (read.direction == BridgeDirection::forward ? "-t '" : "--reverse '") +
                 read.filter + "' reads back";
    }
  return std::nullopt;
}

}  // namespace mqtk
