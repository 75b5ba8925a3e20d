#include "cli/stdout_writer.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <string>
#include <unistd.h>

#include <mqtk/error.hpp>

namespace mqtk::cli {

bool StdoutWriter::write(std::string_view data) {
  while (!data.empty() && !closed_) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {  // a non-blocking stdout: wait until the reader catches up
      pollfd ready{fd_, POLLOUT, 0};
      ::poll(&ready, 1, 1000);
      continue;
    }
    if (errno == EPIPE) {
      closed_ = true;
      break;
    }
    throw Error(ErrorCategory::runtime, std::string("writing to stdout: ") + std::strerror(errno));
  }
  return !closed_;
}

}  // namespace mqtk::cli
