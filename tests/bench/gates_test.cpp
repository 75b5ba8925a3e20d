// CI gates: each gate passes at its limit, fails past it with a one-line reason naming the flag,
// and a run that measured nothing cannot pass a latency gate.

#include "bench/gates.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using mqtk::bench::BenchReport;
using mqtk::bench::failed_gates;
using mqtk::bench::gate_rate;
using mqtk::bench::Gates;
using Lines = std::vector<std::string>;

namespace {

BenchReport pub_run() {
  BenchReport r;
  r.mode = "pub";
  r.qos = 1;
  r.duration_s = 10;
  r.sent = 100'000;
  r.acked = 99'000;
  r.received = 98'000;
  r.lost = 2;
  r.subscribed = true;
  r.latency_us.record(100, 198);  // p99 is the 198th of 200 samples: 0.1 ms (exact below 128 us)
  r.latency_us.record(12'300, 2);
  return r;
}

Gates p99_gate(double ms) {
  Gates gates;
  gates.max_p99_ms = ms;
  return gates;
}

Gates loss_gate(std::uint64_t n) {
  Gates gates;
  gates.max_loss = n;
  return gates;
}

Gates rate_gate(double per_s) {
  Gates gates;
  gates.min_rate = per_s;
  return gates;
}

}  // namespace

TEST_CASE("no gates, no failures") {
  CHECK_FALSE(Gates{}.any());
  CHECK(failed_gates(pub_run(), Gates{}).empty());
}

TEST_CASE("--max-p99 compares the latency p99 in ms") {
  BenchReport r = pub_run();
  CHECK(failed_gates(r, p99_gate(0.1)).empty());
  CHECK(failed_gates(r, p99_gate(0.05)) == Lines{"p99 0.1 ms > --max-p99 0.05"});
  r.latency_us.record(12'300, 10);  // now the 208th of 210 samples: 12.3 ms
  CHECK(failed_gates(r, p99_gate(10)) == Lines{"p99 12.3 ms > --max-p99 10"});
}

TEST_CASE("--max-p99 in bench conn is the connection setup p99; no samples fails") {
  BenchReport conn;
  conn.mode = "conn";
  conn.connect_us.record(2500);
  CHECK(failed_gates(conn, p99_gate(2)) == Lines{"connect p99 2.5 ms > --max-p99 2"});
  BenchReport unmeasured;
  unmeasured.mode = "pub";
  CHECK(failed_gates(unmeasured, p99_gate(10)) ==
        Lines{"no latency samples to check --max-p99 10 against (only receivers measure latency)"});
}

TEST_CASE("--max-loss is a count of lost messages") {
  CHECK(failed_gates(pub_run(), loss_gate(2)).empty());
  CHECK(failed_gates(pub_run(), loss_gate(0)) == Lines{"lost 2 messages > --max-loss 0"});
}

TEST_CASE("--min-rate compares the rate that matters for the run") {
  BenchReport r = pub_run();
  CHECK(gate_rate(r).unit == "received/s");
  CHECK(gate_rate(r).per_s == 9800);
  CHECK(failed_gates(r, rate_gate(9800)).empty());
  CHECK(failed_gates(r, rate_gate(10'000)) == Lines{"rate 9800 received/s < --min-rate 10000"});
  r.subscribed = false;
  CHECK(gate_rate(r).unit == "acked/s");
  r.qos = 0;
  CHECK(gate_rate(r).unit == "sent/s");
  CHECK(gate_rate(r).per_s == 10'000);
  BenchReport conn;
  conn.mode = "conn";
  conn.connected = 1000;
  conn.connect_duration_s = 0.4;
  CHECK(gate_rate(conn).unit == "conn/s");
  CHECK(failed_gates(conn, rate_gate(3000)) == Lines{"rate 2500 conn/s < --min-rate 3000"});
}

TEST_CASE("every failed gate is listed") {
  Gates all;
  all.max_p99_ms = 0.05;
  all.max_loss = 0;
  all.min_rate = 1e6;
  CHECK(failed_gates(pub_run(), all).size() == 3);
}
