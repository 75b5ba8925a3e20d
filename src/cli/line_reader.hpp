#pragma once
// Reads lines from a file descriptor (stdin for `pub -l`/`--jsonl`) as they arrive, so
// `tail -f | mqtk pub -l` publishes each line at once, and can be interrupted: wake() from any
// thread (the signal watcher) makes a blocked next_line() return. Lines lose their "\n" and
// nothing else (a "\r" stays: bytes are published as given); the last line is returned even
// without a final newline.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

namespace mqtk::cli {

class LineReader {
 public:
  explicit LineReader(int fd);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line, or nullopt at end of input or after wake(). Throws Error on a read error.
  std::optional<std::string> next_line();
  // Whether next_line() has a whole line already read, i.e. returns without waiting for input.
  bool has_complete_line() const noexcept;
  // Reads everything that is left (for -s/--stdin-file), up to `limit` bytes.
  std::string read_all(std::size_t limit);
  void wake() noexcept;
  // Sleeps for `delay` unless woken first; returns false when woken.
  bool sleep_for(std::chrono::milliseconds delay);
  bool woken() const noexcept { return woken_.load(); }
  std::size_t line_number() const noexcept { return line_number_; }

 private:
  bool fill();  // false at EOF or when woken
  int fd_;
  int wake_fd_ = -1;  // eventfd
  std::atomic<bool> woken_{false};
  std::string buffer_;
  std::size_t start_ = 0;
  bool eof_ = false;
  std::size_t line_number_ = 0;
};

}  // namespace mqtk::cli
