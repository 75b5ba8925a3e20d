#pragma once
// SIGINT/SIGTERM handling without work in a signal handler: the constructor blocks both signals
// in the calling thread (so every thread started afterwards, paho's included, inherits the
// mask), and one watcher thread takes them with sigwait() and runs the callback there.
// Create it in main before any other thread exists. Without a callback, or on a second signal,
// the process exits at once with 128 + signal.

#include <atomic>
#include <functional>
#include <thread>

namespace mqtk::cli {

class SignalWatcher {
 public:
  SignalWatcher();
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Runs on the watcher thread for every SIGINT/SIGTERM received. Set before the work starts.
  void on_signal(std::function<void(int signal)> callback);
  // The first signal received, 0 if none.
  int received() const noexcept { return received_.load(); }
  // How many signals arrived; a second SIGINT means "stop now".
  int count() const noexcept { return count_.load(); }

 private:
  void watch();
  std::atomic<int> received_{0};
  std::atomic<int> count_{0};
  std::atomic<bool> stopping_{false};
  std::function<void(int)> callback_;
  std::atomic<bool> has_callback_{false};
  std::thread watcher_;
};

}  // namespace mqtk::cli
