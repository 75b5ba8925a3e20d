// The -F template parser and writer (src/cli/output/template_format) on arbitrary text.
// The first byte picks the options (pretty JSON, terminal escaping) and the payload kind
// (text, JSON, binary), the rest is the template. Only UsageError may come out of compile();
// write() must not throw for any template that compiled.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/output/template_format.hpp"
#include <mqtk/error.hpp>
#include <mqtk/message.hpp>

namespace {

mqtk::Message sample_message(std::uint8_t selector) {
  mqtk::Message message;
  message.topic = "sensors/kitchen";
  switch (selector % 3) {
    case 0: message.payload = "hello"; break;
    case 1: message.payload = R"({"temperature":21.5,"tags":["a","b"]})"; break;
    default: message.payload = std::string("\x00\xff\x1b[2J\xc3", 6); break;
  }
  message.qos = 1;
  message.retain = (selector & 4) != 0;
  if (selector & 8) {
    message.properties.content_type = "text/plain";
    message.properties.response_topic = "reply/to";
    message.properties.correlation_data = std::string("\x01\x02", 2);
    message.properties.message_expiry_interval = 4294967295u;
    message.properties.payload_format_indicator = 1;
    message.properties.user_properties = {{"k", "v"}, {"k", "w"}};
    message.properties.subscription_identifiers = {268435455};
    message.properties.topic_alias = 65535;
  }
  message.received_at = std::chrono::system_clock::time_point{std::chrono::seconds{1'795'000'000}};
  return message;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  mqtk::cli::TemplateOptions options;
  options.pretty_json = (selector & 16) != 0;
  options.escape_binary = (selector & 32) != 0;
  try {
    const auto format = mqtk::cli::TemplateFormat::compile(text, options);
    std::string out;
    format.write(out, sample_message(selector), std::chrono::system_clock::time_point{});
  } catch (const mqtk::UsageError&) {
  }
  return 0;
}
