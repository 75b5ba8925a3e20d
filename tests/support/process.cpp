#include "support/process.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sstream>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <utility>

extern char** environ;

#ifndef MQTK_BINARY_PATH
#error "MQTK_BINARY_PATH must name the mqtk binary (CMake defines it for the test support library)"
#endif

namespace mqtk::test {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

int poll_timeout_ms(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0, 60'000));
}

std::chrono::milliseconds remaining_until(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds{0},
                  std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()));
}

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

// Both ends close-on-exec so that children spawned concurrently never inherit them (an inherited
// write end would keep our reader from ever seeing EOF).
Pipe make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw_errno("pipe2");
  return Pipe{UniqueFd{fds[0]}, UniqueFd{fds[1]}};
}

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throw_errno("fcntl O_NONBLOCK");
}

// write() to a pipe whose reader is gone raises SIGPIPE, which would kill the test binary.
// Block it in this thread for the write and swallow the one the write raised.
ssize_t write_without_sigpipe(int fd, std::string_view data) {
  sigset_t sigpipe_only;
  sigemptyset(&sigpipe_only);
  sigaddset(&sigpipe_only, SIGPIPE);
  sigset_t previous_mask;
  pthread_sigmask(SIG_BLOCK, &sigpipe_only, &previous_mask);
  sigset_t pending_before;
  sigpending(&pending_before);

  const ssize_t written = ::write(fd, data.data(), data.size());
  const int write_errno = errno;
  if (written < 0 && write_errno == EPIPE && !sigismember(&pending_before, SIGPIPE)) {
    const timespec no_wait{0, 0};
    while (sigtimedwait(&sigpipe_only, nullptr, &no_wait) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  errno = write_errno;
  return written;
}

// Reads everything available now; resets `fd` at EOF or on error.
void read_available(UniqueFd& fd, std::string& sink) {
  std::array<char, 16384> buffer{};
  while (fd) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n > 0) {
      sink.append(buffer.data(), static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      fd.reset();
    }
  }
}

struct SpawnFileActions {
  SpawnFileActions() { posix_spawn_file_actions_init(&actions); }
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  posix_spawn_file_actions_t actions{};
};

struct SpawnAttributes {
  SpawnAttributes() { posix_spawnattr_init(&attributes); }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attributes); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  posix_spawnattr_t attributes{};
};

}  // namespace

TempDir::TempDir(std::string_view prefix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write_file(std::string_view name, std::string_view contents) const {
  auto file_path = path_ / name;
  std::ofstream file(file_path, std::ios::binary | std::ios::trunc);
  file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!file.flush()) throw std::runtime_error("cannot write " + file_path.string());
  return file_path;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string word;
  while (status >> word)
    if (word == "VmRSS:") {
      long kib = 0;
      status >> kib;
      return kib;
    }
  return 0;
}

std::string describe(const ProcessResult& result) {
  std::ostringstream text;
  if (result.timed_out) {
    text << "timed out (killed)";
  } else if (result.term_signal != 0) {
    text << "killed by signal " << result.term_signal;
  } else {
    text << "exit code " << result.exit_code;
  }
  text << "\n--- stdout ---\n" << result.out << "\n--- stderr ---\n" << result.err;
  return text.str();
}

ProcessResult run_process(const std::vector<std::string>& argv, std::string_view stdin_data,
                          std::chrono::milliseconds timeout) {
  ChildProcess child;
  child.start(argv, ChildOptions{.pipe_stdin = !stdin_data.empty()});
  child.stdin_pending_ = stdin_data;  // wait() writes it while draining stdout and stderr
  return child.wait(timeout);
}

std::string mqtk_binary_path() { return MQTK_BINARY_PATH; }

ProcessResult run_mqtk(const std::vector<std::string>& args, std::string_view stdin_data,
                       std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{mqtk_binary_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, stdin_data, timeout);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this == &other) return *this;
  kill_and_reap();
  pid_ = std::exchange(other.pid_, -1);
  own_group_ = other.own_group_;
  reaped_ = other.reaped_;
  status_ = other.status_;
  stdin_ = std::move(other.stdin_);
  stdout_ = std::move(other.stdout_);
  stderr_ = std::move(other.stderr_);
  exit_fd_ = std::move(other.exit_fd_);
  stdin_pending_ = std::move(other.stdin_pending_);
  out_ = std::move(other.out_);
  err_ = std::move(other.err_);
  return *this;
}

ChildProcess::~ChildProcess() { kill_and_reap(); }

void ChildProcess::start(const std::vector<std::string>& argv, const ChildOptions& options) {
  if (argv.empty()) throw std::invalid_argument("ChildProcess::start: empty argv");
  kill_and_reap();
  *this = ChildProcess{};

  // posix_spawn takes char* const[] but never writes through it.
  std::vector<char*> raw_argv;
  raw_argv.reserve(argv.size() + 1);
  for (const auto& arg : argv) raw_argv.push_back(const_cast<char*>(arg.c_str()));
  raw_argv.push_back(nullptr);

  SpawnFileActions files;
  std::optional<Pipe> stdin_pipe;
  std::optional<Pipe> stdout_pipe;
  std::optional<Pipe> stderr_pipe;
  if (options.pipe_stdin) {
    stdin_pipe = make_pipe();
    posix_spawn_file_actions_adddup2(&files.actions, stdin_pipe->read_end.get(), STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&files.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  const std::string output_path = options.output_file ? options.output_file->string() : "";
  if (options.output_file) {
    posix_spawn_file_actions_addopen(&files.actions, STDOUT_FILENO, output_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&files.actions, STDOUT_FILENO, STDERR_FILENO);
  } else {
    stdout_pipe = make_pipe();
    stderr_pipe = make_pipe();
    posix_spawn_file_actions_adddup2(&files.actions, stdout_pipe->write_end.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&files.actions, stderr_pipe->write_end.get(), STDERR_FILENO);
  }
  // Descriptors other code left inheritable (sockets, listeners) must not leak into the child.
  posix_spawn_file_actions_addclosefrom_np(&files.actions, STDERR_FILENO + 1);

  SpawnAttributes attributes;
  if (options.new_process_group) {
    posix_spawnattr_setflags(&attributes.attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes.attributes, 0);
  }

  pid_t pid = -1;
  const int spawn_error = ::posix_spawnp(&pid, raw_argv[0], &files.actions,
                                         &attributes.attributes, raw_argv.data(), environ);
  if (spawn_error != 0) {
    throw std::system_error(spawn_error, std::generic_category(), "cannot run '" + argv[0] + "'");
  }
  pid_ = pid;
  own_group_ = options.new_process_group;
  // Raw syscall: glibc 2.36's <sys/pidfd.h> lacks extern "C". Kernels before 5.3 fail it, and
  // wait() then polls waitpid instead.
  exit_fd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
  if (stdin_pipe) {
    stdin_ = std::move(stdin_pipe->write_end);
    set_nonblocking(stdin_.get());
  }
  if (stdout_pipe) {
    stdout_ = std::move(stdout_pipe->read_end);
    stderr_ = std::move(stderr_pipe->read_end);
    set_nonblocking(stdout_.get());
    set_nonblocking(stderr_.get());
  }
}

bool ChildProcess::running() {
  reap(false);
  return pid_ > 0 && !reaped_;
}

void ChildProcess::reap(bool block) noexcept {
  if (pid_ <= 0 || reaped_) return;
  int status = 0;
  pid_t result = -1;
  do {
    result = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (result < 0 && errno == EINTR);
  if (result == pid_) {
    reaped_ = true;
    status_ = status;
  } else if (result < 0) {
    reaped_ = true;  // ECHILD: reaped elsewhere; the status stays unknown (exit_code -1)
  }
}

void ChildProcess::kill_and_reap() noexcept {
  if (pid_ <= 0 || reaped_) return;
  // While the unreaped leader keeps its pid reserved, the group id cannot have been reused.
  ::kill(own_group_ ? -pid_ : pid_, SIGKILL);
  reap(true);
}

void ChildProcess::signal(int signo) {
  reap(false);
  if (pid_ <= 0 || reaped_) return;
  ::kill(own_group_ ? -pid_ : pid_, signo);
}

void ChildProcess::pump(std::chrono::milliseconds timeout, bool watch_exit) {
  std::array<pollfd, 4> fds{};
  std::size_t count = 0;
  const auto add = [&](const UniqueFd& fd, short events) {
    if (fd) fds[count++] = pollfd{fd.get(), events, 0};
  };
  add(stdout_, POLLIN);
  add(stderr_, POLLIN);
  if (!stdin_pending_.empty()) add(stdin_, POLLOUT);
  if (watch_exit && !reaped_) add(exit_fd_, POLLIN);
  if (count == 0) {
    std::this_thread::sleep_for(timeout);
    return;
  }
  if (::poll(fds.data(), count, poll_timeout_ms(timeout)) <= 0) return;

  for (std::size_t i = 0; i < count; ++i) {
    if (fds[i].revents == 0) continue;
    if (fds[i].fd == stdout_.get()) {
      read_available(stdout_, out_);
    } else if (fds[i].fd == stderr_.get()) {
      read_available(stderr_, err_);
    } else if (fds[i].fd == stdin_.get()) {
      const ssize_t written = write_without_sigpipe(stdin_.get(), stdin_pending_);
      if (written > 0) {
        stdin_pending_.erase(0, static_cast<std::size_t>(written));
      } else if (written < 0 && errno != EAGAIN && errno != EINTR) {
        stdin_.reset();  // EPIPE: the child stopped reading
        stdin_pending_.clear();
      }
    } else if (fds[i].fd == exit_fd_.get()) {
      reap(false);
    }
  }
}

void ChildProcess::drain_available() {
  read_available(stdout_, out_);
  read_available(stderr_, err_);
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (const auto newline = out_.find('\n'); newline != std::string::npos) {
      std::string line = out_.substr(0, newline);
      out_.erase(0, newline + 1);
      return line;
    }
    if (!stdout_) {
      if (out_.empty()) return std::nullopt;
      return std::exchange(out_, {});  // the last line had no '\n'
    }
    const auto remaining = remaining_until(deadline);
    if (remaining.count() == 0) return std::nullopt;
    pump(remaining, false);
  }
}

bool ChildProcess::write_stdin(std::string_view data, std::chrono::milliseconds timeout) {
  if (!stdin_) return false;
  stdin_pending_.append(data);
  const auto deadline = Clock::now() + timeout;
  while (stdin_ && !stdin_pending_.empty()) {
    const auto remaining = remaining_until(deadline);
    if (remaining.count() == 0) return false;
    pump(remaining, false);
  }
  return static_cast<bool>(stdin_);
}

void ChildProcess::close_stdin() noexcept {
  stdin_.reset();
  stdin_pending_.clear();
}

ProcessResult ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) throw std::logic_error("ChildProcess::wait: no child was started");
  const auto deadline = Clock::now() + timeout;
  // Without pidfd support, poll in short slices and ask waitpid in between.
  const auto slice = exit_fd_ ? timeout : std::chrono::milliseconds{10};
  bool timed_out = false;
  for (;;) {
    if (stdin_pending_.empty()) close_stdin();
    reap(false);
    if (reaped_) break;
    const auto remaining = remaining_until(deadline);
    if (remaining.count() == 0) {
      timed_out = true;
      kill_and_reap();
      break;
    }
    pump(std::min(remaining, slice), true);
  }
  close_stdin();
  // What the child wrote before it exited is already in the pipes. Take it, but do not wait for
  // EOF: a grandchild (a backgrounded command) may hold the write ends for a long time.
  drain_available();
  stdout_.reset();
  stderr_.reset();

  ProcessResult result;
  result.timed_out = timed_out;
  if (WIFEXITED(status_)) result.exit_code = WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) result.term_signal = WTERMSIG(status_);
  result.out = std::exchange(out_, {});
  result.err = err_;
  return result;
}

}  // namespace mqtk::test
