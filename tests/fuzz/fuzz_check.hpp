#pragma once
// A property a fuzz target checks: a failed one aborts, which libFuzzer reports as a crash
// and saves the input (assert() would vanish under NDEBUG).

#include <cstdio>
#include <cstdlib>

#define MQTK_FUZZ_CHECK(condition)                                                      \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)
