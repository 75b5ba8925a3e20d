#include "support/proxy_fixture.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <filesystem>
#include <netinet/in.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "support/free_port.hpp"

namespace mqtk::test {
namespace {

constexpr const char* danted_path = "/usr/sbin/danted";
constexpr const char* tinyproxy_path = "/usr/bin/tinyproxy";
constexpr auto proxy_startup_timeout = std::chrono::seconds{5};
constexpr int proxy_start_attempts = 4;

bool accepts(std::uint16_t port) {
  UniqueFd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(sock.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

// Waits for `ready_marker` in the log and a listening port; on failure, why (with the logs).
std::optional<std::string> wait_until_ready(ChildProcess& process, const std::string& name,
                                            const std::filesystem::path& log_file,
                                            std::string_view ready_marker, std::uint16_t port,
                                            const std::filesystem::path& config_file) {
  const auto deadline = std::chrono::steady_clock::now() + proxy_startup_timeout;
  std::string failure;
  for (;;) {
    if (!process.running()) {
      failure = name + " exited during startup";
      break;
    }
    if (read_file(log_file).find(ready_marker) != std::string::npos && accepts(port))
      return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) {
      failure = name + " did not accept connections within 5 s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  process.wait(std::chrono::seconds{2});
  std::ostringstream report;
  report << failure << "\n--- " << config_file.string() << " ---\n"
         << read_file(config_file) << "--- log ---\n"
         << read_file(log_file);
  return report.str();
}

template <class Start>
void start_with_retries(const std::string& name, Start try_start) {
  std::string failure;
  for (int attempt = 1; attempt <= proxy_start_attempts; ++attempt) {
    // A fresh port each time: another process may have taken the last one after free_port().
    const std::optional<std::string> why = try_start();
    if (!why) return;
    failure = *why;
  }
  throw std::runtime_error(name + ": " + failure);
}

}  // namespace

std::optional<std::string> dante_unavailable() {
  if (!std::filesystem::exists(danted_path))
    return std::string("dante-server is not installed (") + danted_path + ")";
  return std::nullopt;
}

std::optional<std::string> tinyproxy_unavailable() {
  if (!std::filesystem::exists(tinyproxy_path))
    return std::string("tinyproxy is not installed (") + tinyproxy_path + ")";
  return std::nullopt;
}

std::optional<std::string> socks_user_unavailable() {
  if (auto why = dante_unavailable()) return why;
  if (::geteuid() != 0)
    return std::string("dante checks user names and passwords against /etc/shadow: needs root");
  const std::string user(socks_username);
  if (!run_process({"id", "-u", user}).ok()) {
    const ProcessResult added = run_process(
        {"useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user});
    if (!added.ok() && !run_process({"id", "-u", user}).ok())
      return "could not create the system user " + user + ": " + describe(added);
  }
  const ProcessResult password = run_process({"chpasswd"}, user + ":" + std::string(socks_password) + "\n");
  if (!password.ok()) return "could not set the password of " + user + ": " + describe(password);
  return std::nullopt;
}

DanteProxy::DanteProxy(DanteOptions options) : options_(std::move(options)) {
  start_with_retries("DanteProxy", [this] { return try_start(); });
}

std::optional<std::string> DanteProxy::try_start() {
  port_ = free_port();
  const auto log_file = dir_.path() / "danted.log";
  std::ostringstream config;
  config << "logoutput: " << log_file.string() << "\n"
         << "internal: 127.0.0.1 port = " << port_ << "\n"
         << "external: 127.0.0.1\n"
         << "socksmethod: " << (options_.auth ? "username" : "none") << "\n"
         << "clientmethod: none\n";
  if (::geteuid() == 0) config << "user.privileged: root\nuser.unprivileged: nobody\n";
  config << "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n";
  for (const std::uint16_t blocked : options_.blocked_ports)
    config << "socks block { from: 0.0.0.0/0 to: 127.0.0.1/32 port = " << blocked
           << " log: error }\n";
  config << "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n";
  const auto config_file = dir_.write_file("danted.conf", config.str());
  // Dante forks helper processes: its own group lets the destructor reach them all.
  process_.start({danted_path, "-f", config_file.string(), "-N", "1"},
                 ChildOptions{.output_file = dir_.path() / "danted.out", .new_process_group = true});
  return wait_until_ready(process_, "danted", log_file, " running", port_, config_file);
}

std::string DanteProxy::url(std::string_view scheme) const {
  std::string credentials;
  if (options_.auth)
    credentials = std::string(socks_username) + ":" + std::string(socks_password) + "@";
  return std::string(scheme) + "://" + credentials + "127.0.0.1:" + std::to_string(port_);
}

std::string DanteProxy::log() const { return read_file(dir_.path() / "danted.log"); }

Tinyproxy::Tinyproxy(TinyproxyOptions options) : options_(std::move(options)) {
  start_with_retries("Tinyproxy", [this] { return try_start(); });
}

std::optional<std::string> Tinyproxy::try_start() {
  port_ = free_port();
  std::ostringstream config;
  config << "Port " << port_ << "\nListen 127.0.0.1\nTimeout 60\nLogLevel Info\n"
         << "Allow 127.0.0.1\nMaxClients 50\n";
  for (const std::uint16_t allowed : options_.connect_ports) config << "ConnectPort " << allowed << "\n";
  if (options_.basic_auth)
    config << "BasicAuth " << options_.basic_auth->first << " " << options_.basic_auth->second << "\n";
  const auto config_file = dir_.write_file("tinyproxy.conf", config.str());
  // -d: stay in the foreground and log to stderr, which goes to the log file.
  const auto log_file = dir_.path() / "tinyproxy.log";
  process_.start({tinyproxy_path, "-d", "-c", config_file.string()},
                 ChildOptions{.output_file = log_file, .new_process_group = true});
  return wait_until_ready(process_, "tinyproxy", log_file, "Accepting connections", port_,
                          config_file);
}

std::string Tinyproxy::url() const {
  std::string credentials;
  if (options_.basic_auth)
    credentials = options_.basic_auth->first + ":" + options_.basic_auth->second + "@";
  return "http://" + credentials + "127.0.0.1:" + std::to_string(port_);
}

std::string Tinyproxy::log() const { return read_file(dir_.path() / "tinyproxy.log"); }

}  // namespace mqtk::test
