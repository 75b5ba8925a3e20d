#pragma once
// What a bridge forwards: rules (a filter on one broker, the QoS, an optional topic prefix
// rewrite, like mosquitto's bridge local/remote prefixes) and the checks that keep a two-way
// bridge from sending a message back where it came from.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqtk {

// from -> to (forward, -t) or to -> from (reverse, --reverse).
enum class BridgeDirection { forward, reverse };

// Replaces a leading `source_prefix` by `destination_prefix`; other topics pass unchanged.
struct TopicRemap {
  std::string source_prefix;
  std::string destination_prefix;

  // "OLD=NEW" (either side may be empty, not both). Throws UsageError.
  static TopicRemap parse(std::string_view text);
  std::string apply(const std::string& topic) const;
  friend bool operator==(const TopicRemap&, const TopicRemap&) = default;
};

struct BridgeRule {
  std::string filter;  // on the source broker of `direction`
  int qos = 1;
  std::optional<TopicRemap> remap;
  BridgeDirection direction = BridgeDirection::forward;
  friend bool operator==(const BridgeRule&, const BridgeRule&) = default;
};

// True when some topic name matches both filters (wildcards included, $-topics aside).
bool filters_overlap(std::string_view a, std::string_view b);

// Filters that describe every topic the rule can publish on its destination broker.
std::vector<std::string> destination_filters(const BridgeRule& rule);

// Why the rules would send a message back across (a rule's destination topics overlap a rule
// of the other direction), or nullopt. Without MQTT 5 no-local nothing else can stop such echoes.
std::optional<std::string> echo_problem(const std::vector<BridgeRule>& rules);

}  // namespace mqtk
