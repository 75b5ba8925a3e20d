// Text output: the live status line, the final summary table and the CSV rows carry the
// numbers they are given (rates over the interval, percentiles of the interval's histogram).

#include "bench/summary.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "support/text.hpp"

using mqtk::bench::BenchReport;
using mqtk::bench::LatencyHistogram;
using mqtk::bench::LiveCounters;
using mqtk::bench::make_live_snapshot;

using mqtk::test::contains;

TEST_CASE("a live snapshot turns cumulative counters into interval rates") {
  LatencyHistogram interval;
  for (int i = 0; i < 100; ++i) interval.record(1000 + i);
  interval.record(9000);
  LiveCounters before{1000, 900, 800, 1, 0};
  LiveCounters now{6000, 5900, 5800, 3, 1};
  auto s = make_live_snapshot(12.0, 0.5, false, 50, 49, before, now, interval);
  CHECK(s.delta.sent == 5000);
  CHECK(s.delta.errors == 2);
  CHECK(s.sent_per_s == 10'000);
  CHECK(s.received_per_s == 10'000);
  REQUIRE(s.p99_ms);
  CHECK(*s.p99_ms == doctest::Approx(1.099).epsilon(0.004));
  CHECK(*s.max_ms == 9.0);

  std::string line = mqtk::bench::format_live_status(s);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(contains(line, "12s"));
  CHECK(contains(line, "49/50"));
  CHECK(contains(line, "sent    10,000/s"));
  CHECK(contains(line, "recv    10,000/s"));
  CHECK(contains(line, "p99     1.10 ms"));
  CHECK(contains(line, "err 3"));
  CHECK(contains(line, "reconn 1"));

  auto quiet = make_live_snapshot(1.0, 1.0, true, 50, 10, {}, {}, LatencyHistogram());
  std::string warmup = mqtk::bench::format_live_status(quiet);
  CHECK(warmup.starts_with("warmup"));
  CHECK_FALSE(contains(warmup, "sent"));
  CHECK_FALSE(contains(warmup, "p99"));
}

TEST_CASE("CSV rows match the header, with empty latency cells when nothing arrived") {
  std::string header = mqtk::bench::csv_header();
  LatencyHistogram interval;
  interval.record(2000);
  auto s = make_live_snapshot(3.0, 1.0, false, 10, 10, {}, {100, 100, 100, 0, 0}, interval);
  std::string row = mqtk::bench::csv_row(s);
  auto commas = [](const std::string& text) { return std::count(text.begin(), text.end(), ','); };
  CHECK(commas(row) == commas(header));
  CHECK(row == "3.000,0,10,100,100,100,0,0,100.0,100.0,100.0,2.000,2.000,2.000\n");
  auto empty = make_live_snapshot(4.0, 1.0, false, 10, 10, {}, {}, LatencyHistogram());
  CHECK(mqtk::bench::csv_row(empty).ends_with(",,,\n"));
}

TEST_CASE("the summary table shows counts, rates and percentiles") {
  BenchReport r;
  r.mode = "pub";
  r.clients = 1000;
  r.connected = 1000;
  r.qos = 1;
  r.size = 64;
  r.duration_s = 10;
  r.warmup_s = 2;
  r.connect_duration_s = 0.5;
  r.sent = 1'000'000;
  r.acked = 1'000'000;
  r.received = 999'990;
  r.lost = 10;
  r.subscribed = true;
  r.errors["publish"] = 3;
  for (int i = 1; i <= 1000; ++i) r.latency_us.record(static_cast<std::uint64_t>(i) * 10);
  r.connect_us.record(4000);
  std::string text = mqtk::bench::format_summary(r);
  CAPTURE(text);  // percentiles within 0.4% of 5, 9, 9.9 and 9.99 ms
  CHECK(text.starts_with("mqtk bench pub: 1,000/1,000 clients connected, QoS 1, 64 B, 10.000 s measured after 2.000 s warmup\n"));
  CHECK(contains(text, "sent               1,000,000       100,000\n"));
  CHECK(contains(text, "received             999,990        99,999\n"));
  CHECK(contains(text, "lost                      10\n"));
  CHECK(contains(text, "connected              1,000         2,000  (over 0.500 s)\n"));
  CHECK(contains(text, "errors                     3  (publish 3)\n"));
  CHECK(contains(text, "latency          5.008     8.992     9.888    10.000    10.000     5.005       1,000\n"));
  CHECK(contains(text, "connect          4.000"));

  BenchReport conn;
  conn.mode = "conn";
  conn.clients = 5;
  std::string conn_text = mqtk::bench::format_summary(conn);
  CHECK_FALSE(contains(conn_text, "latency"));
  CHECK_FALSE(contains(conn_text, "QoS"));
  CHECK(contains(conn_text, "connect     no samples\n"));
}
