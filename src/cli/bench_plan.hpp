#pragma once
// From `mqtk bench` options to what the workers run: the session every client shares (broker
// address resolved once, TLS context), and each worker's clients, rate and limits.

#include <memory>
#include <string>
#include <vector>

#include "bench/tls_stream.hpp"
#include "bench/worker.hpp"
#include "cli/bench_options.hpp"
#include "cli/connection_flags.hpp"

namespace mqtk::cli {

struct BenchSetup {
  bench::SessionSettings session;
  std::unique_ptr<bench::TlsContext> tls;
  std::vector<bench::WorkerPlan> workers;
  std::string broker;            // mqtt://host:port, no credentials
  bool local_broker = false;     // a loopback address
  std::uint64_t connections = 0; // sockets this process opens
  bool receives = false;         // sub, or pub --subscribe
};

// Throws UsageError for what the bench engine does not support (proxies, wills,
// a fixed --id, -D properties) and ConnectError when the host does not resolve.
BenchSetup plan_bench(const BenchOptions& options, const ResolvedConnection& resolved);

}  // namespace mqtk::cli
