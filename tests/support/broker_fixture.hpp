#pragma once
// A private mosquitto for integration tests: Debian's /usr/sbin/mosquitto on free loopback ports,
// with a generated config (plain, TLS, websockets, auth, persistence) in its own temp directory.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "support/process.hpp"

namespace mqtk::test {

inline constexpr std::string_view broker_username = "mqtk";
inline constexpr std::string_view broker_password = "secret";

struct BrokerOptions {
  bool persistence = false;  // sessions and queued messages survive stop()/start()
  bool auth = false;         // only broker_username/broker_password may connect, on every listener
  bool tls = false;          // TLS listener on tls_port(), server cert for localhost/127.0.0.1
  bool websockets = false;   // MQTT over websockets on ws_port()
  bool tls_require_client_cert = false;  // the TLS listener demands a cert signed by the test CA
  bool tls_expired_server_cert = false;  // the TLS listener presents an expired certificate
  std::optional<std::string> acl{};      // contents of an acl_file (meaningful with auth)
  // Appended after the listener blocks: listener-scoped options apply to the last listener
  // (plain, then TLS, then websockets, whichever is last), general options to the broker.
  std::vector<std::string> extra_config{};
};

// The test PKI, generated with the openssl CLI on first use and shared by the whole test process.
struct TestCertificates {
  std::filesystem::path ca_cert;
  std::filesystem::path server_cert;  // CN=localhost, SAN DNS:localhost, IP:127.0.0.1
  std::filesystem::path server_key;
  std::filesystem::path expired_server_cert;  // same key and names, valid only in Jan 2020
  std::filesystem::path client_cert;          // CN=mqtk-client, signed by ca_cert
  std::filesystem::path client_key;
  std::filesystem::path wrong_ca_cert;        // an unrelated CA that signed nothing we serve
};
const TestCertificates& test_certificates();

class BrokerFixture {
 public:
  // Starts the broker; throws std::runtime_error with its log when it does not come up.
  explicit BrokerFixture(BrokerOptions options = {});
  ~BrokerFixture();
  BrokerFixture(const BrokerFixture&) = delete;
  BrokerFixture& operator=(const BrokerFixture&) = delete;
  BrokerFixture(BrokerFixture&&) = delete;
  BrokerFixture& operator=(BrokerFixture&&) = delete;

  std::string host() const { return "127.0.0.1"; }
  std::uint16_t port() const noexcept { return port_; }
  std::uint16_t tls_port() const;  // throws std::logic_error unless options.tls
  std::uint16_t ws_port() const;   // throws std::logic_error unless options.websockets
  std::string url() const;         // mqtt://127.0.0.1:PORT
  std::string tls_url() const;     // mqtts://127.0.0.1:TLS_PORT (the cert has that IP SAN)
  std::string ws_url() const;      // ws://127.0.0.1:WS_PORT

  std::filesystem::path ca_file() const { return test_certificates().ca_cert; }
  std::filesystem::path wrong_ca_file() const { return test_certificates().wrong_ca_cert; }
  std::filesystem::path client_cert_file() const { return test_certificates().client_cert; }
  std::filesystem::path client_key_file() const { return test_certificates().client_key; }

  const BrokerOptions& options() const noexcept { return options_; }
  const std::filesystem::path& dir() const noexcept { return dir_.path(); }
  std::filesystem::path config_file() const { return dir() / "mosquitto.conf"; }
  pid_t pid() const noexcept { return broker_.pid(); }  // of the current or last process
  std::string log() const;  // the broker's log file, all starts so far
  // Polls the log until it contains `needle`, e.g. "Sending SUBACK to sub-1" to know a
  // subscription is in place before publishing.
  bool wait_for_log(std::string_view needle,
                    std::chrono::milliseconds timeout = std::chrono::seconds{5}) const;

  // SIGTERM and wait (mosquitto saves its persistence db on the way out); SIGKILL after 5 s.
  void stop();
  // SIGKILL: a crash, nothing saved beyond the last autosave.
  void kill();
  // Starts again on the same ports with the same config; throws if already running.
  void start();
  void restart();
  void pause();   // SIGSTOP: a hung broker that keeps its sockets open
  void resume();  // SIGCONT
  bool running();

 private:
  void choose_ports();
  std::string config_text() const;
  // Launches mosquitto once and waits for its listeners; returns why it failed, if it did.
  std::optional<std::string> try_start();

  BrokerOptions options_;
  TempDir dir_{"mqtk-broker"};
  std::uint16_t port_ = 0;
  std::uint16_t tls_port_ = 0;
  std::uint16_t ws_port_ = 0;
  bool ports_fixed_ = false;  // set by the first successful start: restarts keep the ports
  bool paused_ = false;
  ChildProcess broker_;
};

}  // namespace mqtk::test
