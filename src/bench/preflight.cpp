#include "bench/preflight.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/resource.h>

namespace mqtk::bench {
namespace {

constexpr std::uint64_t kSpareFiles = 64;  // stdio, epoll, eventfds, CSV, TLS files

std::string first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// "Max open files            1024                 524288               files": the soft value.
std::uint64_t soft_file_limit_of(const std::filesystem::path& limits_file) {
  std::ifstream in(limits_file);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("Max open files")) continue;
    std::istringstream fields(line.substr(14));
    std::string soft;
    fields >> soft;
    return soft == "unlimited" ? UINT64_MAX : std::stoull(soft);
  }
  return 0;
}

void check_mosquitto(std::uint64_t sockets, PreflightResult& result) {
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ignored)) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (first_line(entry.path() / "comm") != "mosquitto") continue;
    const std::uint64_t limit = soft_file_limit_of(entry.path() / "limits");
    if (limit != 0 && limit < sockets + 16)
      result.advice.push_back("mosquitto (pid " + pid + ") may open only " + std::to_string(limit) +
                              " files but " + std::to_string(sockets) +
                              " clients need as many: start it with 'ulimit -n " + std::to_string(sockets + 1024) +
                              "' (systemd: LimitNOFILE=) and keep 'max_connections -1'");
  }
}

}  // namespace

PreflightResult run_preflight(std::uint64_t sockets, bool local_broker) {
  PreflightResult result;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    if (limit.rlim_cur < limit.rlim_max) {
      rlimit raised = limit;
      raised.rlim_cur = limit.rlim_max;
      if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    result.file_limit = limit.rlim_cur;
    if (sockets + kSpareFiles > limit.rlim_cur)
      result.blocking.push_back(std::to_string(sockets) + " clients need " + std::to_string(sockets + kSpareFiles) +
                                " open files but the limit is " + std::to_string(limit.rlim_cur) +
                                " (hard limit): raise it, e.g. 'ulimit -Hn " + std::to_string(sockets + 1024) +
                                "' as root or LimitNOFILE= / nofile in /etc/security/limits.conf");
  }
  std::ifstream ports("/proc/sys/net/ipv4/ip_local_port_range");
  std::uint64_t low = 0;
  std::uint64_t high = 0;
  if (ports >> low >> high && high >= low) {
    const std::uint64_t available = high - low + 1;
    if (sockets > available)
      result.blocking.push_back(std::to_string(sockets) + " clients need as many local ports towards one broker address but "
                                "the ephemeral range " + std::to_string(low) + "-" + std::to_string(high) + " has " +
                                std::to_string(available) + ": widen net.ipv4.ip_local_port_range or split the run over hosts (-n)");
    else if (sockets > available / 2)
      result.advice.push_back("the ephemeral port range " + std::to_string(low) + "-" + std::to_string(high) +
                              " is more than half used by this run; ports in TIME_WAIT from an earlier run may collide "
                              "(widen net.ipv4.ip_local_port_range)");
  }
  if (local_broker) check_mosquitto(sockets, result);
  return result;
}

}  // namespace mqtk::bench
