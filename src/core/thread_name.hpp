#pragma once
// Internal: names the calling thread for top -H, perf and gdb ("net:ge-a-from", "mqtk-forwarder").
// Linux keeps 15 characters; a longer name keeps its end, where client ids differ.

#include <pthread.h>

#include <string>
#include <string_view>

namespace mqtk::detail {

inline void name_this_thread(std::string_view name) {
  constexpr std::size_t kept = 15;
  const std::string fitted(name.substr(name.size() > kept ? name.size() - kept : 0));
  ::pthread_setname_np(::pthread_self(), fitted.c_str());
}

}  // namespace mqtk::detail
