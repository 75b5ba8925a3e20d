#pragma once
// Raw input of `mqtk bench conn|pub|sub` (emqtt-bench's letters where it has them), filled by
// the flags in bench.cpp and turned into worker plans by bench_plan.cpp.

#include <cstdint>
#include <optional>
#include <string>

#include "bench/gates.hpp"
#include "cli/connection_flags.hpp"

namespace mqtk::cli {

enum class BenchMode { conn, pub, sub };
const char* mode_name(BenchMode mode);  // "conn", "pub", "sub"

struct BenchOptions {
  BenchMode mode = BenchMode::pub;
  ConnectionFlags connection;
  std::uint64_t clients = 10;                    // -c
  std::optional<double> connect_interval_ms;     // -i
  std::optional<double> connect_rate;            // --connect-rate (per second)
  std::uint64_t connect_concurrency = 64;        // --connect-concurrency
  std::optional<double> publish_interval_ms;     // -I (per client)
  std::optional<double> rate;                    // --rate (total per second)
  std::string topic = "bench/%i";                // -t
  std::uint64_t size = 256;                      // -s
  int qos = 0;                                   // -q
  std::optional<std::uint64_t> limit;            // -L (per client)
  std::optional<std::uint64_t> count;            // --count (total)
  std::uint64_t start_number = 0;                // -n
  std::optional<double> duration_s;              // --duration
  double warmup_s = 0;                           // --warmup
  std::optional<bool> clean;                     // --clean / --no-clean
  std::optional<std::string> shared_group;       // --shared
  bool subscribe = false;                        // pub --subscribe
  std::optional<unsigned> workers;               // --workers (default: cores)
  std::uint16_t window = 100;                    // --window (QoS>0 in flight per client)
  double drain_s = 5;                            // --drain: wait for acks/messages at the end
  bool json = false;
  std::optional<std::string> csv_file;
  std::string label;
  bench::Gates gates;
};

}  // namespace mqtk::cli
