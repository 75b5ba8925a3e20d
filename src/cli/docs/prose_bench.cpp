// Hand-written man page prose for `mqtk bench` (all its subcommands share one page, whose
// OPTIONS list the union of their flags). Markup: see prose.hpp.
#include "cli/docs/prose.hpp"
#include "cli/docs/prose_bench_report.hpp"

namespace mqtk::cli::docs {

CommandProse bench_prose();

CommandProse bench_prose() {
  CommandProse prose;
  prose.description = R"(`mqtk bench` load-tests a broker with many clients, with emqtt-bench's flag letters:

* mqtk bench conn :: opens `-c` connections (holding them for `--duration`) and reports
  the connection setup rate and times.
* mqtk bench pub :: publishes from `-c` clients, at `--rate` messages per second in total or
  every `-I` milliseconds per client, or as fast as the in-flight window allows; `--subscribe`
  adds one subscriber for end-to-end latency, loss and order in the same run.
* mqtk bench sub :: subscribes `-c` clients and measures what bench publishers send: rate,
  latency, loss, duplicates and order per publisher.
* mqtk bench merge :: combines the `--json` reports of runs made at the same time on several
  hosts.

Message flags (`-t`, `-q`, `-s`, `-I`, `--rate`, `-L`, `--count`, `--window`, `--subscribe`,
`--shared`) apply to `pub` and `sub` as their help says; `bench conn --help`,
`bench pub --help` and `bench sub --help` list each one's flags. Connection flags are the
shared long ones; `-c`, `-i`, `-I` and `-L` have emqtt-bench's meanings here; `--url ws://`
or `wss://` runs the clients over websockets; the TLS flags (`--cafile`, `--cert`, `--key`,
`--insecure`, `--tls-version`, `--ciphers`, `--tls-alpn`) apply to every client. Proxies, wills
and `-D` properties are not supported by the bench engine.

Every client connects first (setup times form the connect histogram), then all publishers
start on one open-loop schedule: with `--rate R`, message j is due at start + j/R whatever
happened to the messages before it, and its payload carries that intended time, so latency
is measured from when a message should have gone out and a stalled client cannot hide it.
`--warmup` seconds are left out of every figure. A live status line goes to standard error
every second (redrawn in place on a terminal), the summary table at the end, and with `--json`
the report to standard output. SIGINT ends the run early with the report of what was done.

Before starting, bench raises its open-file limit to the hard limit and refuses a run that
does not fit it or the ephemeral port range, saying what to change; for a broker on this
machine it reads a running mosquitto's file limit and warns when it is too low. TLS verifies
the broker's certificate and host name unless `--insecure`.)";
  prose.exit_notes = R"(Status 1 also means a gate failed (`--max-p99`, `--max-loss`, `--min-rate`; each failed gate
is named on standard error) or some clients could not connect; 3 means none could. A lost
connection (also one on which the broker has been silent for 1.5 x `-k`: a stall) is
reconnected after 1 s and counted (`reconnects`, `errors`) without changing the status. Status 4 means `--drain` ended the run while publishers still awaited QoS>0
acknowledgements (a stalled broker or network); each counts as an `ack_timeout` error.)";
  prose.examples = R"(Hold 10,000 connections for half a minute:

    mqtk bench conn -c 10000 --duration 30

Fan-in, 1,000 clients with 100 messages each, as fast as the broker takes them:

    mqtk bench pub -c 1000 -L 100 -s 64 -t 'bench/%i'

A paced QoS 1 run with its own subscriber, gated for CI:

    mqtk bench pub -c 200 --rate 20000 --duration 60 --warmup 5 -q 1 --subscribe --max-p99 20 --json > run.json

Two hosts, one report:

    mqtk bench pub -n 0 -c 5000 --rate 5000 --duration 60 --json > a.json     # host a
    mqtk bench pub -n 5000 -c 5000 --rate 5000 --duration 60 --json > b.json  # host b
    mqtk bench merge a.json b.json)";
  // The measuring half's sections, and `bench merge` (documented on this page too: a command
  // with subcommands has one page).
  prose.sections = bench_report_sections();
  const CommandProse merge = bench_merge_prose();  // views of string literals
  prose.sections.push_back({"BENCH MERGE", merge.description});
  prose.see_also = {"emqtt_bench(1)"};
  return prose;
}

}  // namespace mqtk::cli::docs
