#include "cli/until_condition.hpp"

#include <nlohmann/json.hpp>

#include <mqtk/error.hpp>
#include <mqtk/topic.hpp>

namespace mqtk::cli {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

const nlohmann::json* walk(const nlohmann::json& root, const std::vector<std::string>& path) {
  const nlohmann::json* node = &root;
  for (const std::string& key : path) {
    if (node->is_object()) {
      auto it = node->find(key);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      if (key.empty() || key.find_first_not_of("0123456789") != std::string::npos) return nullptr;
      const std::size_t index = std::stoul(key);
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

}  // namespace

UntilCondition UntilCondition::parse(std::string_view expression) {
  UntilCondition condition;
  std::size_t start = 0;
  while (start <= expression.size()) {
    const std::size_t end = std::min(expression.find("&&", start), expression.size());
    const std::string_view part = trim(expression.substr(start, end - start));
    const std::string where = "--until '" + std::string(expression) + "': ";
    Clause clause;
    if (part.starts_with("topic:")) {
      clause.is_topic = true;
      clause.filter = std::string(trim(part.substr(6)));
      if (std::string problem = topic_filter_problem(clause.filter); !problem.empty())
        throw UsageError(where + "topic filter '" + clause.filter + "': " + problem);
    } else if (part.starts_with(".")) {
      const std::size_t equals = part.find('=');
      if (equals == std::string_view::npos)
        throw UsageError(where + "'" + std::string(part) + "' needs '=VALUE'");
      const std::string_view path = trim(part.substr(0, equals));
      std::size_t p = 1;
      while (p < path.size()) {
        const std::size_t next = std::min(path.find('.', p), path.size());
        if (next == p) throw UsageError(where + "empty key in path '" + std::string(path) + "'");
        clause.path.emplace_back(path.substr(p, next - p));
        p = next + 1;
      }
      const std::string value(trim(part.substr(equals + 1)));
      const auto parsed = nlohmann::json::parse(value, nullptr, false);
      clause.expected_json = parsed.is_discarded() ? nlohmann::json(value).dump() : parsed.dump();
    } else {
      throw UsageError(where + "expected 'topic:FILTER' or '.path=VALUE', got '" +
                       std::string(part) + "'");
    }
    condition.clauses_.push_back(std::move(clause));
    start = end + 2;
  }
  return condition;
}

bool UntilCondition::matches(const Message& message) const {
  std::optional<nlohmann::json> payload;
  for (const Clause& clause : clauses_) {
    if (clause.is_topic) {
      if (!topic_matches(clause.filter, message.topic)) return false;
      continue;
    }
    if (!payload) {
      payload = nlohmann::json::parse(message.payload, nullptr, false);
      if (payload->is_discarded()) return false;
    }
    const nlohmann::json* value = walk(*payload, clause.path);
    if (!value || value->dump() != clause.expected_json) return false;
  }
  return true;
}

}  // namespace mqtk::cli
