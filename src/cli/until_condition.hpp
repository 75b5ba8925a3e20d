#pragma once
// `mqtk sub --until EXPR`: stop after the first message that satisfies every condition of EXPR.
//   EXPR  := COND [ "&&" COND ]...
//   COND  := "topic:" FILTER          the topic matches the MQTT topic filter
//          | PATH "=" VALUE           the JSON payload has VALUE at PATH
//   PATH  := "." | ("." KEY)+         KEY is an object key or an array index (.items.0.id)
//   VALUE := JSON (42, true, null, "text", {"a":1}) or, when it is not JSON, a bare string
// Examples: --until 'topic:jobs/+/done'   --until '.state=done'   --until 'topic:a/# && .n=3'

#include <string>
#include <string_view>
#include <vector>

#include <mqtk/message.hpp>

namespace mqtk::cli {

class UntilCondition {
 public:
  // Throws UsageError naming the part of EXPR that is wrong.
  static UntilCondition parse(std::string_view expression);
  bool matches(const Message& message) const;

 private:
  struct Clause {
    bool is_topic = false;
    std::string filter;                 // is_topic
    std::vector<std::string> path;      // !is_topic
    std::string expected_json;          // compact JSON text of the expected value
  };
  std::vector<Clause> clauses_;
};

}  // namespace mqtk::cli
