// Hand-written man page prose for `mqtk bridge`: the delivery promise, the config file format
// and the loop prevention need more than flag help. Keep in step with src/cli/bridge_config.cpp
// and src/core/bridge.hpp. Markup: see prose.hpp.

#include "cli/docs/prose.hpp"

namespace mqtk::cli::docs {

CommandProse bridge_prose() {
  CommandProse prose;
  prose.description = R"(`mqtk bridge` forwards messages from one broker (`--from`) to another (`--to`), and with
`--reverse` also back, from the command line and between any two brokers. Each side is one
connection with all the connection options of the other commands, spelled with a `--from-` or
`--to-` prefix (`--to-cafile`, `--from-username`, `--from-protocol-version` ...), or given in a
JSON file with `--config`. Environment variables such as `MQTK_HOST` are not used: they could
not say which side they mean.

Rules: `-t FILTER` forwards what matches FILTER on the source; `--reverse FILTER` forwards from
the destination back to the source. `-q` and `--remap OLD=NEW` apply to the rule just before
them, or to every rule when given before the first one. `--remap` replaces a leading topic
prefix, like the local and remote prefixes of mosquitto's bridge:
`-t 'sensors/#' --remap 'sensors/=site-a/sensors/'`. The payload bytes, the retain flag and the
MQTT 5 properties (content type, user properties, correlation data, response topic, payload
format) go across; the message expiry interval is lowered by the time the bridge held the
message, and a message that expired meanwhile is dropped and counted.

Both sides use MQTT 5 unless told otherwise, persistent sessions and fixed client ids
`mqtk-bridge-NAME-from` and `mqtk-bridge-NAME-to` (`--name`, by default a hash of the brokers
and rules), so a restarted bridge finds its sessions and what the brokers queued meanwhile.)";
  prose.sections = {
      {"DELIVERY",
       R"(With QoS 1 or 2 every message the bridge received stays in its memory until the destination
acknowledged it; a connection loss on either side sends it again after the reconnect. So while
the bridge runs, either broker may restart at any moment and every QoS 1 message published on
the source arrives at the destination at least once. A message is acknowledged to the source broker
only once the destination broker acknowledged it, so even a `kill -9` of the bridge loses
nothing: the source broker resends to the persistent session what it was never told the bridge
had. (Only with MQTK_ENGINE=paho, which acknowledges on receipt, does a `kill -9` lose what
the bridge held.) SIGINT and SIGTERM deliver what is held
first (within `--drain-timeout`).

Duplicates are possible and counted where the bridge sees them: messages the source marked as
sent again (DUP), and messages the bridge published again after a connection was cut. Resends
done inside the client library after a reconnect are not counted.

Memory is bounded: at most `--max-inflight` publishes wait for the destination's acknowledgement
(lowered to its receive maximum), and the source may not have more than half of `--max-queued`
unacknowledged messages out (the MQTT 5 receive maximum), so while the destination is down the
source broker keeps the backlog. Some brokers send past it (mosquitto 2.0.11 sends a whole
receive maximum more for each acknowledgement). A one-way bridge then stops reading from the
source once `--max-queued` messages are held: the source broker keeps the rest in its
connection. In a two-way bridge each side must read on to see the acknowledgements of what it
publishes, so at `--max-queued` the bridge closes the source connection instead. The source broker keeps queueing for the persistent
session meanwhile (mosquitto's `max_queued_messages`, 1000 by default, then applies and drops
beyond it), and the bridge reconnects once everything it held was delivered. What the closed
connection still held at QoS 1 and 2 is left for the broker to send again, not forwarded twice.
With `MQTK_ENGINE=paho` both directions pause by closing.)"},
      {"LOOPS",
       R"(A two-way bridge must never send a message back where it came from. With MQTT 5 on both sides
each side's connection subscribes with no-local (the broker does not send it what it published
itself), and every forwarded message carries the user property `mqtk-bridge: NAME`; a message
that arrives with the bridge's own marker is not forwarded again. Without MQTT 5 on both sides
there is neither, so a two-way bridge whose forward topics (after `--remap`) overlap its
reverse filters, or the other way round, is refused with status 2.

Overlapping rules in one direction forward a message once: each rule has its own subscription
identifier and only the copy of the first matching rule goes across.)"},
      {"CONFIG FILE",
       R"(`--config FILE` reads a JSON object with the sides `from` and `to`, a list of `rules`, and
optionally `name`, `max-queued` and `max-inflight`. A side's keys are the long connection
flags without the prefix: `url`, `host`, `port`, `protocol-version`, `id`, `username`, `pw`,
`password-file`, `keepalive`, `session-expiry-interval`, `connect-timeout`, `cafile`, `capath`,
`cert`, `key`, `key-password`, `insecure`, `tls-version`, `tls-alpn`, `ciphers`, `proxy`,
`reconnect-min`, `reconnect-max`. A rule has `topic` (from -> to) or `reverse` (to -> from),
and optionally `qos` and `remap`. Flags on the command line win over the file; rules on the
command line are added after the file's. An unknown key is an error.

    {
      "from": {"url": "mqtt://plant.local:1883", "username": "bridge",
               "password-file": "/etc/mqtk/plant.pw"},
      "to": {"url": "mqtts://cloud.example.com:8883", "cafile": "/etc/ssl/cloud-ca.pem"},
      "rules": [
        {"topic": "sensors/#", "qos": 1, "remap": "sensors/=site-a/sensors/"},
        {"reverse": "site-a/commands/#", "remap": "site-a/commands/=commands/"}
      ]
    })"},
      {"STATUS",
       R"(`--stats SECONDS` prints a status line on standard error every SECONDS and at exit: messages
forwarded in each direction, held (received, not yet acknowledged by the destination),
duplicates, dropped, expired, echoes stopped, how often the source was paused, and reconnects
per side. `--json-stats` prints the same as one JSON object per line on standard output
instead (every `--stats` SECONDS, 10 by default); the last record has `"final": true` and
`undelivered`:

    {"forwarded":{"from_to":1200,"to_from":34},"in_flight":0,"duplicates":0,"dropped":0,
     "expired":0,"echoes":0,"pauses":0,"reconnects":{"from":0,"to":1},"final":true,"undelivered":0})"},
  };
  prose.exit_notes = R"(A bridge stopped by SIGINT or SIGTERM exits 0 when it delivered everything it held, and 4
when some received messages were still not acknowledged by the destination after
`--drain-timeout`. It exits 3 when a side cannot be reached at start (later losses reconnect),
and 1 when a side's connection ends for good (another client took over its id).)";
  prose.examples = R"(Copy a plant's sensors into a site prefix on another broker:

    mqtk bridge --from mqtt://plant.local --to mqtts://cloud.example.com \
        --to-cafile /etc/ssl/cloud-ca.pem -t 'sensors/#' --remap 'sensors/=site-a/sensors/'

Two ways, commands flowing back, with a status line every 10 seconds:

    mqtk bridge --from mqtt://a.local --to mqtt://b.local -t 'telemetry/#' \
        --reverse 'commands/#' -q 1 --stats 10

Everything from a file, status for a monitoring script:

    mqtk bridge --config /etc/mqtk/bridge.json --json-stats --stats 30 | jq -c .forwarded)";
  prose.see_also = {"mosquitto.conf(5)"};
  return prose;
}

}  // namespace mqtk::cli::docs
