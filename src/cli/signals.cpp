#include "cli/signals.hpp"

#include <csignal>
#include <cstdlib>
#include <pthread.h>

namespace mqtk::cli {
namespace {

sigset_t watched_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);  // internal: wakes the watcher for shutdown
  return set;
}

}  // namespace

SignalWatcher::SignalWatcher() {
  const sigset_t set = watched_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  watcher_ = std::thread([this] { watch(); });
}

SignalWatcher::~SignalWatcher() {
  stopping_ = true;
  pthread_kill(watcher_.native_handle(), SIGUSR2);
  watcher_.join();
}

SignalWatcher::Registration SignalWatcher::on_signal(std::function<void(int)> callback) {
  std::lock_guard lock(callback_mutex_);
  callback_ = std::move(callback);
  return Registration(*this);
}

void SignalWatcher::clear_callback() {
  std::lock_guard lock(callback_mutex_);  // waits for a call in progress
  callback_ = nullptr;
}

void SignalWatcher::watch() {
  const sigset_t set = watched_signals();
  for (;;) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0) continue;
    if (stopping_) return;
    if (signal == SIGUSR2) continue;
    int expected = 0;
    received_.compare_exchange_strong(expected, signal);
    std::lock_guard lock(callback_mutex_);
    // Nothing registered to wind down, or a second signal: the user wants out now.
    if (!callback_ || ++count_ > 1) std::_Exit(128 + signal);
    callback_(signal);
  }
}

}  // namespace mqtk::cli
