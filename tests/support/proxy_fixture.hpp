#pragma once
// Real proxies for integration tests, each on a free loopback port with a generated config in
// its own temp directory, run in the foreground as a child: Debian's dante-server (danted, SOCKS5)
// and tinyproxy (HTTP CONNECT).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"

namespace mqtk::test {

// The system account dante checks RFC 1929 user names and passwords against (dante has no
// password file of its own): created by socks_user_unavailable() when missing.
inline constexpr std::string_view socks_username = "mqtk-socks";
inline constexpr std::string_view socks_password = "mqtk-socks-pw";

// Why a proxy cannot be used here (to skip the test with), or nullopt when it can.
std::optional<std::string> dante_unavailable();
std::optional<std::string> tinyproxy_unavailable();
// Dante's user name/password method needs root (it reads /etc/shadow) and the account above;
// as root, creates the account (no home, no login shell) and sets its password.
std::optional<std::string> socks_user_unavailable();

struct DanteOptions {
  bool auth = false;                           // require socks_username/socks_password
  std::vector<std::uint16_t> blocked_ports{};  // CONNECT to 127.0.0.1 on these: reply 2
};

class DanteProxy {
 public:
  // Throws std::runtime_error with dante's log when it does not come up.
  explicit DanteProxy(DanteOptions options = {});
  DanteProxy(const DanteProxy&) = delete;
  DanteProxy& operator=(const DanteProxy&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  // scheme://[user:pass@]127.0.0.1:PORT, with the credentials when options.auth.
  std::string url(std::string_view scheme = "socks5") const;
  std::string log() const;

 private:
  std::optional<std::string> try_start();

  DanteOptions options_;
  TempDir dir_{"mqtk-dante"};
  std::uint16_t port_ = 0;
  ChildProcess process_;
};

struct TinyproxyOptions {
  std::vector<std::uint16_t> connect_ports{};  // ports CONNECT may reach; empty: any
  std::optional<std::pair<std::string, std::string>> basic_auth{};  // user, password
};

class Tinyproxy {
 public:
  explicit Tinyproxy(TinyproxyOptions options = {});
  Tinyproxy(const Tinyproxy&) = delete;
  Tinyproxy& operator=(const Tinyproxy&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string url() const;  // http://[user:pass@]127.0.0.1:PORT
  std::string log() const;

 private:
  std::optional<std::string> try_start();

  TinyproxyOptions options_;
  TempDir dir_{"mqtk-tinyproxy"};
  std::uint16_t port_ = 0;
  ChildProcess process_;
};

}  // namespace mqtk::test
