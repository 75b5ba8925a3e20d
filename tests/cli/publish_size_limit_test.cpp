// The client-side check against the broker's MQTT 5 Maximum Packet Size
// (src/cli/publish_size_limit), used by both ways `mqtk pub` publishes.

#include <doctest/doctest.h>

#include <string>

#include "cli/publish_size_limit.hpp"
#include <mqtk/error.hpp>

using mqtk::Message;
using mqtk::cli::check_publish_size;
using mqtk::cli::estimated_publish_size;

TEST_CASE("the estimate never falls below the PUBLISH packet's real size") {
  Message message;
  message.topic = "a/b";
  message.payload = std::string(100, 'x');
  message.qos = 1;
  // Real v5 size: 1 + 1 (remaining length 108) + 2 + 3 + 2 + 1 (no properties) + 100 = 110.
  CHECK(estimated_publish_size(message) >= 110);
  message.properties.content_type = "text/plain";
  CHECK(estimated_publish_size(message) >= 110 + 3 + 10);
}

TEST_CASE("a payload above the broker's maximum is refused naming both sizes") {
  Message message;
  message.topic = "big";
  message.payload = std::string(2000, 'x');
  CHECK_NOTHROW(check_publish_size(message, std::nullopt, ""));
  CHECK_NOTHROW(check_publish_size(message, 4000u, ""));
  try {
    check_publish_size(message, 1000u, "line 3: ");
    FAIL("no error for a payload above the maximum");
  } catch (const mqtk::Error& error) {
    CHECK(error.category() == mqtk::ErrorCategory::runtime);
    CHECK(std::string(error.what()) ==
          "line 3: payload of 2000 bytes exceeds the broker's maximum packet size of 1000 bytes");
  }
}
