#pragma once
// stdout for data. Writes go straight to fd 1 (no stdio buffering), so every line is out as soon
// as it is produced and `mqtk sub | jq` shows messages at once. A reader that went away (EPIPE,
// e.g. `| head -1`) is not an error: closed() turns true and callers stop. Any other write error
// (ENOSPC on /dev/full, EBADF) throws an Error naming it.

#include <string_view>

namespace mqtk::cli {

class StdoutWriter {
 public:
  explicit StdoutWriter(int fd = 1) : fd_(fd) {}
  // Writes all of `data`; returns false once the reader has gone away.
  bool write(std::string_view data);
  bool closed() const noexcept { return closed_; }

 private:
  int fd_;
  bool closed_ = false;
};

}  // namespace mqtk::cli
