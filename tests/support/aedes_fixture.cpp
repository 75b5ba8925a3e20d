#include "support/aedes_fixture.hpp"

#include <csignal>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mqtk::test {
namespace {

constexpr auto aedes_startup_timeout = std::chrono::seconds{10};
constexpr auto aedes_stop_timeout = std::chrono::seconds{5};
constexpr std::string_view listening_prefix = "listening 127.0.0.1:";

std::filesystem::path aedes_dir() {
  return std::filesystem::path(MQTK_SOURCE_DIR) / "tests" / "support" / "aedes";
}

std::size_t count_of(const std::string& text, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

}  // namespace

std::optional<std::string> AedesFixture::unavailable_reason() {
  const std::string no_node = "node is not installed (apt-get install nodejs npm)";
  try {
    if (!run_process({"node", "--version"}, {}, std::chrono::seconds{10}).ok()) return no_node;
  } catch (const std::exception&) {  // not on PATH: run_process cannot start it
    return no_node;
  }
  if (!std::filesystem::exists(aedes_dir() / "node_modules" / "aedes" / "package.json"))
    return "aedes is not installed (scripts/test runs npm ci in tests/support/aedes)";
  return std::nullopt;
}

AedesFixture::AedesFixture() { start(); }

AedesFixture::~AedesFixture() { stop(); }

std::string AedesFixture::log() const { return read_file(dir_.path() / "aedes.log"); }

bool AedesFixture::wait_for_log(std::string_view needle, std::size_t times,
                                std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (count_of(log(), needle) >= times) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

void AedesFixture::start() {
  if (running()) throw std::logic_error("AedesFixture::start(): the broker is already running");
  const std::size_t log_offset = log().size();
  // Port 0 on the first start: node binds and reports the port, so no other process can take
  // it between choosing and binding (the race BrokerFixture has to retry around).
  broker_.start({"node", (aedes_dir() / "broker.mjs").string(), std::to_string(port_)},
                ChildOptions{.output_file = dir_.path() / "aedes.log"});
  const auto deadline = std::chrono::steady_clock::now() + aedes_startup_timeout;
  for (;;) {
    const std::string text = log();
    if (const auto at = text.find(listening_prefix, log_offset); at != std::string::npos) {
      const auto end = text.find('\n', at);
      if (end != std::string::npos) {
        const auto digits = at + listening_prefix.size();
        port_ = static_cast<std::uint16_t>(std::stoul(text.substr(digits, end - digits)));
        return;
      }
    }
    if (!broker_.running() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  const ProcessResult result = broker_.wait(aedes_stop_timeout);
  throw std::runtime_error("AedesFixture: aedes did not start (" + describe(result) +
                           ")\n--- aedes log ---\n" + log().substr(log_offset));
}

void AedesFixture::stop() {
  if (!running()) return;
  broker_.signal(SIGTERM);
  broker_.wait(aedes_stop_timeout);
}

bool AedesFixture::running() { return broker_.running(); }

}  // namespace mqtk::test
