#include "core/liveness_watch.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <memory>
#include <optional>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

namespace mqtk::detail {

using std::chrono::milliseconds;

namespace {

struct DirCloser {
  void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};

std::optional<std::uint16_t> peer_port_of(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return std::nullopt;
  if (address.ss_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  return std::nullopt;
}

bool is_tcp_stream(int fd) {
  int type = 0;
  socklen_t length = sizeof type;
  return ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_STREAM;
}

// The kernel's view of a TCP socket; nullopt when it has none to give.
std::optional<tcp_info> read_tcp_info(int fd) {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return std::nullopt;
  return info;
}

}  // namespace

SocketSnapshot snapshot_sockets() {
  SocketSnapshot sockets;
  const std::unique_ptr<DIR, DirCloser> dir(::opendir("/proc/self/fd"));
  if (!dir) return sockets;
  while (const dirent* entry = ::readdir(dir.get())) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0') continue;  // "." and ".."
    struct stat status{};
    if (::fstat(static_cast<int>(fd), &status) == 0 && S_ISSOCK(status.st_mode))
      sockets.emplace_back(static_cast<int>(fd), status.st_ino);
  }
  return sockets;
}

milliseconds LivenessWatch::check_period(std::chrono::seconds keepalive) {
  return std::clamp<milliseconds>(milliseconds(keepalive) / 50, milliseconds(100),
                                  milliseconds(1000));
}

milliseconds LivenessWatch::silence_limit(std::chrono::seconds keepalive) {
  if (keepalive.count() <= 0) return milliseconds(0);
  // Less two check periods: one for the wait between checks, one of margin.
  const milliseconds one_and_a_half =
      milliseconds(keepalive) * 3 / 2 - 2 * check_period(keepalive);
  return std::max(one_and_a_half, milliseconds(keepalive) + milliseconds(2000));
}

LivenessWatch LivenessWatch::find(const SocketSnapshot& before, std::uint16_t peer_port,
                                  milliseconds silence_limit) {
  if (silence_limit.count() <= 0) return {};
  std::optional<std::pair<int, ino_t>> found;
  for (const auto& socket : snapshot_sockets()) {
    if (std::find(before.begin(), before.end(), socket) != before.end()) continue;
    if (!is_tcp_stream(socket.first) || peer_port_of(socket.first) != peer_port) continue;
    if (found) return {};  // another client of this process connected to the same port meanwhile
    found = socket;
  }
  if (!found) return {};
  return LivenessWatch(found->first, found->second, silence_limit);
}

bool LivenessWatch::still_same_socket() const {
  struct stat status{};
  return fd_ >= 0 && ::fstat(fd_, &status) == 0 && S_ISSOCK(status.st_mode) &&
         status.st_ino == inode_;
}

milliseconds LivenessWatch::silence() const {
  const auto info = still_same_socket() ? read_tcp_info(fd_) : std::nullopt;
  return milliseconds(info ? info->tcpi_last_data_recv : 0);
}

bool LivenessWatch::stalled() const {
  const auto info = still_same_socket() ? read_tcp_info(fd_) : std::nullopt;
  if (!info) return false;
  const auto limit = static_cast<std::uint64_t>(limit_.count());
  const bool silent = info->tcpi_last_data_recv >= limit;
  const bool upload_acknowledged = info->tcpi_unacked > 0 && info->tcpi_last_ack_recv < limit;
  return silent && !upload_acknowledged;
}

std::string LivenessWatch::describe_stall(std::chrono::seconds keepalive) const {
  char text[128];
  std::snprintf(text, sizeof text,
                "the broker sent nothing for %.1f s (keepalive %lld s): connection stalled",
                static_cast<double>(silence().count()) / 1000.0,
                static_cast<long long>(keepalive.count()));
  return text;
}

void LivenessWatch::cut() const {
  if (still_same_socket()) ::shutdown(fd_, SHUT_RDWR);
}

}  // namespace mqtk::detail
