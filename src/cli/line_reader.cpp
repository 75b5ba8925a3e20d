#include "cli/line_reader.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <mqtk/error.hpp>

namespace mqtk::cli {

LineReader::LineReader(int fd) : fd_(fd), wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

LineReader::~LineReader() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void LineReader::wake() noexcept {
  woken_ = true;
  const std::uint64_t one = 1;
  if (wake_fd_ >= 0) [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

bool LineReader::sleep_for(std::chrono::milliseconds delay) {
  const auto deadline = std::chrono::steady_clock::now() + delay;
  while (!woken_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    pollfd wake{wake_fd_, POLLIN, 0};
    ::poll(&wake, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
  }
  return false;
}

bool LineReader::fill() {
  if (eof_ || woken_) return false;
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, wake_fd_ >= 0 ? 2 : 1, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorCategory::runtime, std::string("waiting for stdin: ") + std::strerror(errno));
    }
    if (woken_) return false;
    char chunk[64 * 1024];
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw Error(ErrorCategory::runtime, std::string("reading stdin: ") + std::strerror(errno));
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
}

std::optional<std::string> LineReader::next_line() {
  for (;;) {
    const std::size_t newline = buffer_.find('\n', start_);
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(start_, newline - start_);
      start_ = newline + 1;
      ++line_number_;
      return line;
    }
    if (!fill()) {
      if (woken_ || start_ >= buffer_.size()) return std::nullopt;
      std::string line = buffer_.substr(start_);  // the last line had no "\n"
      start_ = buffer_.size();
      ++line_number_;
      return line;
    }
  }
}

bool LineReader::has_complete_line() const noexcept {
  return buffer_.find('\n', start_) != std::string::npos;
}

std::string LineReader::read_all(std::size_t limit) {
  while (fill()) {
    if (buffer_.size() - start_ > limit)
      throw UsageError("standard input is larger than " + std::to_string(limit) + " bytes");
  }
  std::string all = buffer_.substr(start_);
  start_ = buffer_.size();
  return all;
}

}  // namespace mqtk::cli
