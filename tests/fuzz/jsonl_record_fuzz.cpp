// The `pub --jsonl` record reader (from_json_line in src/cli/output/json_format) on arbitrary
// lines. Only UsageError may come out. A record that parses is written back with
// to_json_line and read again: topic, payload, flags and properties must survive, since
// `sub --json > f; pub --jsonl < f` promises a byte-for-byte replay.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/output/json_format.hpp"
#include <mqtk/error.hpp>
#include <mqtk/message.hpp>
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  mqtk::Message defaults;
  defaults.topic = "default/topic";
  mqtk::Message message;
  try {
    message = mqtk::cli::from_json_line(line, defaults);
  } catch (const mqtk::UsageError&) {
    return 0;
  }
  const std::string written = mqtk::cli::to_json_line(message);
  MQTK_FUZZ_CHECK(written.find('\n') == std::string::npos);
  const mqtk::Message reread = mqtk::cli::from_json_line(written, defaults);
  MQTK_FUZZ_CHECK(reread.topic == message.topic);
  MQTK_FUZZ_CHECK(reread.payload == message.payload);
  MQTK_FUZZ_CHECK(reread.qos == message.qos);
  MQTK_FUZZ_CHECK(reread.retain == message.retain);
  MQTK_FUZZ_CHECK(reread.properties == message.properties);
  return 0;
}
