#pragma once
// Running programs from tests: one-shot (run_process, run_mqtk) and long-running (ChildProcess),
// plus the small OS helpers they need (file descriptors, temporary directories).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "core/socket_io.hpp"

namespace mqtk::test {

// An owned file descriptor, closed on destruction: the core's own.
using UniqueFd = mqtk::detail::Fd;

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "mqtk-test");
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const noexcept { return path_; }
  // Writes `contents` to path()/name and returns the full path.
  std::filesystem::path write_file(std::string_view name, std::string_view contents) const;

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);  // "" when missing

// Resident set size of a running process in KiB (0 when it is gone), for memory-bound tests.
long rss_kib(pid_t pid);

struct ProcessResult {
  int exit_code = -1;    // exit status, or -1 when the process died from a signal
  int term_signal = 0;   // the signal that ended it, or 0
  std::string out;
  std::string err;
  bool timed_out = false;  // the timeout elapsed and the process was SIGKILLed

  bool ok() const noexcept { return exit_code == 0 && !timed_out; }
};

// Formats a result for failure messages: exit code/signal, stdout and stderr.
std::string describe(const ProcessResult& result);

// Runs argv[0] (searched in PATH) to completion, feeding `stdin_data` and then closing stdin,
// while reading stdout and stderr concurrently. On timeout the child is SIGKILLed.
ProcessResult run_process(const std::vector<std::string>& argv, std::string_view stdin_data = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds{20});

// run_process with the mqtk binary built by this tree (MQTK_BINARY_PATH) as argv[0].
ProcessResult run_mqtk(const std::vector<std::string>& args, std::string_view stdin_data = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds{20});
std::string mqtk_binary_path();

struct ChildOptions {
  bool pipe_stdin = false;  // otherwise stdin is /dev/null
  // Append stdout and stderr to this file instead of pipes (for daemons like the broker,
  // whose output nobody drains while the test runs).
  std::optional<std::filesystem::path> output_file{};
  // Put the child in its own process group; signal() and the destructor then reach its
  // children too (socat's forked relays, a shell's pipeline).
  bool new_process_group = false;
};

// A long-running child with its stdout/stderr read on demand. The destructor SIGKILLs and reaps.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const std::vector<std::string>& argv, const ChildOptions& options = {}) {
    start(argv, options);
  }
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // Throws std::system_error when argv[0] cannot be run; a running child is killed first.
  void start(const std::vector<std::string>& argv, const ChildOptions& options = {});

  pid_t pid() const noexcept { return pid_; }
  // True until the child has exited (reaps it without blocking).
  bool running();

  // The next stdout line without its '\n'; nullopt on timeout, or at EOF with nothing left.
  // Stderr is collected meanwhile so the child never blocks on a full pipe.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = std::chrono::seconds{5});
  // Stderr read so far.
  const std::string& err() const noexcept { return err_; }

  // Writes all of `data` (reading stdout/stderr meanwhile). False when the child closed its
  // stdin (EPIPE, never SIGPIPE) or the timeout passed first.
  bool write_stdin(std::string_view data,
                   std::chrono::milliseconds timeout = std::chrono::seconds{5});
  void close_stdin() noexcept;

  // Sends `signo` to the child (to its group with new_process_group). No-op once reaped.
  void signal(int signo);

  // Closes stdin, then waits for exit, collecting the stdout not yet returned by read_line and
  // all stderr. On timeout SIGKILLs the child and sets timed_out.
  ProcessResult wait(std::chrono::milliseconds timeout = std::chrono::seconds{20});

 private:
  friend ProcessResult run_process(const std::vector<std::string>&, std::string_view,
                                   std::chrono::milliseconds);

  void kill_and_reap() noexcept;
  void reap(bool block) noexcept;
  // One poll round: reads stdout/stderr, writes pending stdin, notices exit when watch_exit.
  void pump(std::chrono::milliseconds timeout, bool watch_exit);
  void drain_available();


  pid_t pid_ = -1;
  bool own_group_ = false;
  bool reaped_ = false;
  int status_ = -1;  // waitpid status; -1 (neither exited nor signalled) until known
  UniqueFd stdin_;
  UniqueFd stdout_;
  UniqueFd stderr_;
  UniqueFd exit_fd_;  // pidfd: readable once the child has exited
  std::string stdin_pending_;
  std::string out_;  // stdout read but not yet returned
  std::string err_;
};

}  // namespace mqtk::test
