#pragma once
// SIGINT/SIGTERM handling without work in a signal handler: the constructor blocks both signals
// in the calling thread (so every thread started afterwards, paho's included, inherits the
// mask), and one watcher thread takes them with sigwait() and runs the callback there.
// Create it in main before any other thread exists. Without a callback, or on a second signal,
// the process exits at once with 128 + signal. A callback is registered for a scope: the
// Registration it returns unregisters it when destroyed, after a call in progress has returned,
// so a callback never runs on what its scope already destroyed (seen under ASan: a SIGINT during
// connect, `mqtk sub`'s Client destroyed while the watcher was still in client.stop()).

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace mqtk::cli {

class SignalWatcher {
 public:
  SignalWatcher();
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Unregisters its callback when destroyed; declare it after everything the callback uses.
  class Registration {
   public:
    explicit Registration(SignalWatcher& watcher) : watcher_(&watcher) {}
    Registration(Registration&& other) noexcept : watcher_(std::exchange(other.watcher_, nullptr)) {}
    Registration& operator=(Registration&&) = delete;
    ~Registration() {
      if (watcher_) watcher_->clear_callback();
    }

   private:
    SignalWatcher* watcher_;
  };

  // Runs on the watcher thread for every SIGINT/SIGTERM received while the Registration lives.
  // Set before the work starts.
  [[nodiscard]] Registration on_signal(std::function<void(int signal)> callback);
  // The first signal received, 0 if none.
  int received() const noexcept { return received_.load(); }
  // How many signals arrived; a second SIGINT means "stop now".
  int count() const noexcept { return count_.load(); }

 private:
  void watch();
  void clear_callback();
  std::atomic<int> received_{0};
  std::atomic<int> count_{0};
  std::atomic<bool> stopping_{false};
  std::mutex callback_mutex_;  // held while the callback runs
  std::function<void(int)> callback_;
  std::thread watcher_;
};

}  // namespace mqtk::cli
