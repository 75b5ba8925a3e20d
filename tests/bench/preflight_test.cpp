// Pre-flight checks: a run that cannot fit the file limit or the ephemeral ports is refused
// with what to change; a small run passes and the soft limit is raised to the hard one.
#include <doctest/doctest.h>

#include <sys/resource.h>

#include "bench/preflight.hpp"

using mqtk::bench::run_preflight;

TEST_SUITE_BEGIN("bench.preflight");

TEST_CASE("a small run passes and leaves the soft file limit at the hard limit") {
  const auto result = run_preflight(10, false);
  CHECK(result.blocking.empty());
  rlimit limit{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
  CHECK(result.file_limit == limit.rlim_cur);
  CHECK(limit.rlim_cur == limit.rlim_max);
}

TEST_CASE("too many clients for the file limit and the port range say what to change") {
  const auto result = run_preflight(50'000'000, false);
  REQUIRE(result.blocking.size() >= 1);
  CHECK(result.blocking.front().find("open files") != std::string::npos);
  CHECK(result.blocking.front().find("ulimit -Hn") != std::string::npos);
  bool ports = false;
  for (const auto& line : result.blocking) ports = ports || line.find("ip_local_port_range") != std::string::npos;
  CHECK(ports);
}
