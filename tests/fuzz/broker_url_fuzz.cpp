// The -L/--url parser (src/core/broker_url) on arbitrary text. Checks, beyond "no crash":
// only UsageError is thrown, a parsed URL has a host and a port, and the URI handed to paho
// never carries the credentials.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <mqtk/broker_url.hpp>
#include <mqtk/error.hpp>
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto url = mqtk::BrokerUrl::parse(text);
    MQTK_FUZZ_CHECK(!url.host.empty());
    MQTK_FUZZ_CHECK(url.port != 0);
    const std::string uri = url.paho_uri();
    MQTK_FUZZ_CHECK(!uri.empty());
    // The authority part (between "://" and the path) must hold no userinfo.
    const auto authority_start = uri.find("://");
    MQTK_FUZZ_CHECK(authority_start != std::string::npos);
    const auto authority_end = uri.find('/', authority_start + 3);
    MQTK_FUZZ_CHECK(uri.substr(authority_start + 3, authority_end - (authority_start + 3))
                        .find('@') == std::string::npos);
  } catch (const mqtk::UsageError&) {
  }
  return 0;
}
