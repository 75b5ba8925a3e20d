#include "cli/publish_size_limit.hpp"

#include <mqtk/error.hpp>

namespace mqtk::cli {

std::size_t estimated_publish_size(const Message& m) {
  std::size_t size = 2 + m.topic.size() + m.payload.size() + (m.qos > 0 ? 2 : 0) + 5;
  for (const auto& [k, v] : m.properties.user_properties) size += 5 + k.size() + v.size();
  if (m.properties.content_type) size += 3 + m.properties.content_type->size();
  if (m.properties.response_topic) size += 3 + m.properties.response_topic->size();
  if (m.properties.correlation_data) size += 3 + m.properties.correlation_data->size();
  return size;
}

void check_publish_size(const Message& message, std::optional<std::uint32_t> maximum,
                        const std::string& where) {
  if (maximum && estimated_publish_size(message) > *maximum)
    throw Error(ErrorCategory::runtime,
                where + "payload of " + std::to_string(message.payload.size()) +
                    " bytes exceeds the broker's maximum packet size of " +
                    std::to_string(*maximum) + " bytes");
}

}  // namespace mqtk::cli
