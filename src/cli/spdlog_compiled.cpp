// spdlog compiled into the mqtk binary instead of loaded from libspdlog.so: binding the shared
// library's 1,200 symbols at start-up cost a one-shot `mqtk pub` about 0.6 ms (issue #4).
// Debian's libspdlog-dev ships spdlog's implementation as the -inl.h headers that spdlog's own
// src/spdlog.cpp and src/color_sinks.cpp compile, so this file is those two, limited to what
// mqtk uses (the logger, the registry and its flusher, the pattern formatter, the colour console sinks). The
// library's users and the tests still link libspdlog.
#ifndef SPDLOG_COMPILED_LIB
#error "spdlog_compiled.cpp is spdlog's compiled-library implementation"
#endif

#include <mutex>

#include <spdlog/common-inl.h>
#include <spdlog/details/backtracer-inl.h>
#include <spdlog/details/log_msg-inl.h>
#include <spdlog/details/log_msg_buffer-inl.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/details/os-inl.h>
#include <spdlog/details/periodic_worker-inl.h>
#include <spdlog/details/registry-inl.h>
#include <spdlog/logger-inl.h>
#include <spdlog/pattern_formatter-inl.h>
#include <spdlog/sinks/ansicolor_sink-inl.h>
#include <spdlog/sinks/base_sink-inl.h>
#include <spdlog/sinks/sink-inl.h>
#include <spdlog/sinks/stdout_color_sinks-inl.h>
#include <spdlog/spdlog-inl.h>

template class SPDLOG_API spdlog::sinks::base_sink<std::mutex>;
template class SPDLOG_API spdlog::sinks::base_sink<spdlog::details::null_mutex>;
template class SPDLOG_API spdlog::sinks::ansicolor_sink<spdlog::details::console_mutex>;
template class SPDLOG_API spdlog::sinks::ansicolor_stdout_sink<spdlog::details::console_mutex>;
template class SPDLOG_API spdlog::sinks::ansicolor_stderr_sink<spdlog::details::console_mutex>;
