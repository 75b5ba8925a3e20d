// Hand-written man page prose for `mqtk sub`: its output forms are the reference users need
// most (-F specifiers, the --json record, --until), so they live here next to the generator.
// What mqtk supports is defined in src/cli/output/template_format.hpp, json_format.hpp and
// src/cli/until_condition.hpp; keep this prose in step with them. Markup: see prose.hpp.

#include "cli/docs/prose.hpp"

namespace mqtk::cli::docs {

CommandProse sub_prose();

namespace {

constexpr std::string_view description = R"(`mqtk sub` connects to the broker, subscribes to every `-t` filter and prints each message as
it arrives, until `-C` messages were printed, `-W` seconds passed, `--until` matched,
`--retained-only` met a live message, or it is interrupted. It accepts mosquitto_sub 2.0's
options, and its default, `-v` and `-F` output is the same.

Each message is printed as soon as it is formatted: standard output is written without
buffering, so `mqtk sub ... | jq` shows messages at once. By default the payload is printed
followed by a newline; `-v` puts the topic and a space before it; `-F` prints a template (see
OUTPUT FORMAT); `--json` prints one JSON object per line (see JSON OUTPUT). When standard
output is a terminal, bytes that would act on it (control characters, invalid UTF-8) are shown
as `\xHH` in the default, `-v` and `-F` output; piped output is always byte-exact. When the
reader of standard output goes away (`| head -n 1`), mqtk stops quietly with status 0.

Overlapping filters (`-t 'a/#' -t 'a/+'`) print each message once, also under MQTT 5 where
the broker sends one copy per matching subscription: mqtk gives each filter its own
subscription identifier and prints a copy only when it came through the first filter that
matches its topic. `--no-dedupe` prints every copy.

A subscription without an end (no `-C`, `-W`, `-E` or `--retained-only`) reconnects by default
after the connection is lost: with backoff from `--reconnect-min` to `--reconnect-max` seconds,
resubscribing when the broker kept no session. With `-c -i ID -q 1` nothing published while it
was away is lost.

Messages wait in a queue while the reader of standard output is slower than the broker:
`--queue` chooses the order they leave it in (`priority` serves the `--priority` filters
first, in the order given), `--max-queued` bounds it and `--overflow` says what happens when it
is full. Dropped messages are counted on standard error at exit.)";

constexpr std::string_view output_format = R"(`-F FORMAT` prints each message through a template, as mosquitto_sub does. A newline follows
each message unless `-N` is given. Three characters start a specifier: `%` (a field of the
message), `@` (a time, through strftime(3)) and `\` (an escape).

## Flags, width and precision

Between `%` and the letter may come, in this order: `-` (left-align, padding with blanks),
`0` (pad with zeros; ignored with `-`), a minimum width, and `.` with a precision (a maximum
length). Width applies to `%A %C %E %F %I %l %m %p %R %S %t %x %X`; the `0` flag to
`%A %E %F %l %m %p %S %x %X`; precision to `%C %I %R %t`. For example `%-20t` is the topic
left-aligned in 20 columns, and `%10.10t` is exactly 10 characters of it.

## Message fields

* %% :: a literal %.
* %t :: the topic.
* %p :: the payload bytes.
* %x, %X :: the payload as hexadecimal, lower and upper case.
* %l :: the length of the payload in bytes.
* %q :: the QoS of the message.
* %r :: the retain flag, 1 or 0.
* %m :: the message id: the packet identifier of a QoS 1 or 2 message; 0 at QoS 0, and 0 with MQTK_ENGINE=paho (the paho engine does not expose it).
* %A :: the MQTT 5 topic alias, if present.
* %C :: the MQTT 5 content type, if present.
* %D :: the MQTT 5 correlation data, if present (may be binary).
* %E :: the MQTT 5 message expiry interval, if present.
* %F :: the MQTT 5 payload format indicator, if present.
* %P :: the MQTT 5 user properties, as key:value separated by spaces; keys may repeat.
* %R :: the MQTT 5 response topic, if present.
* %S :: the MQTT 5 subscription identifier, if present.
* %I :: the time of arrival, ISO 8601 with the UTC offset, e.g. 2016-08-10T09:47:38+0100.
* %U :: the time of arrival as Unix seconds with nanoseconds, e.g. 1470818943.786368637.
* %j :: mosquitto's JSON object: "tst", "topic", "qos", "retain", "payloadlen", "properties" and the payload as a JSON string.
* %J :: as %j, with a JSON payload embedded as JSON.

## Time and escapes

* @X :: strftime(3)'s %X for the time of arrival, for any one letter X that glibc documents, e.g. @H:@M:@S.
* @N :: the nanoseconds of the second, 9 digits.
* @@ :: a literal @.
* \\ \0 \a \e \n \r \t \v :: a backslash, NUL, bell, escape, newline, carriage return, tab, vertical tab.

Times are in the local time zone (`TZ`).

## Differences from mosquitto_sub

- An unknown specifier, time letter or escape is a usage error (status 2) naming its
  position.
- Width is a minimum for `%p`, `%x` and `%X` too; mosquitto cuts the payload to the width.
- An absent `%R` pads to its width like `%C`; `-0` pads absent numbers with blanks.
- Precision never splits a UTF-8 character.
- `%S` prints only the first subscription identifier.
- `%E` prints the full unsigned 32-bit value.
- `%j` writes a payload that is not valid UTF-8 as base64 and adds
  "payload_encoding":"base64"; `%J` writes a payload that is not JSON as `%j` would, with
  "payload_encoding":"utf8", instead of failing. Binary correlation data is base64 with
  "correlation-data-encoding":"base64". There is no "mid", and properties come in the order of
  the MQTT 5 PUBLISH property table.
- With `--pretty`, `%j` and `%J` are indented over several lines.)";

constexpr std::string_view json_output = R"(`--json` prints one JSON object per message per line (JSON Lines), with the keys in this
order; optional ones appear only when set:

    {"topic":"sensors/kitchen","payload":{"temperature":21.5},"payload_encoding":"json",
     "qos":0,"retain":false,"received_at":"2026-11-21T10:00:00.123Z",
     "properties":{"content_type":"application/json","user_properties":[["k","v"]]}}

(shown wrapped; each record is one line unless `--pretty` is given).

* topic :: the topic, a string.
* payload :: the payload's own JSON when it is JSON written compactly, i.e. when re-serialising it gives back the very same bytes (so `{"a":1}` is embedded, `{"a": 1}` is a string); else the payload as a string when it is valid UTF-8; else base64.
* payload_encoding :: "json", "utf8" or "base64": which of the three `payload` is.
* qos :: 0, 1 or 2.
* retain :: true or false.
* received_at :: the time of arrival, UTC, RFC 3339 with milliseconds.
* properties :: MQTT 5 properties, when the message has any, in the order of the PUBLISH property table: "payload_format_indicator", "message_expiry_interval", "topic_alias", "response_topic", "correlation_data" (text, or base64 with "correlation_data_encoding":"base64"), "user_properties" (an array of [key, value] pairs in order, keys may repeat), "subscription_identifiers" (an array) and "content_type".

`mqtk pub --jsonl` reads these records back: a capture replays byte for byte, with the same
topics, QoS, retain flags and properties.)";

constexpr std::string_view until_syntax = R"(`--until EXPR` stops after the first message that satisfies every condition of EXPR, with
status 0. That message is printed.

    EXPR  := COND [ && COND ]...
    COND  := topic:FILTER    the topic matches the MQTT topic filter FILTER
           | PATH=VALUE      the JSON payload has VALUE at PATH
    PATH  := . | .KEY[.KEY]...   KEY is an object key or an array index
    VALUE := a JSON value (42, true, null, "text", {"a":1}), or a bare string

For example `--until 'topic:jobs/+/done'`, `--until '.state=done'`,
`--until '.items.0.id=7'` and `--until 'topic:a/# && .n=3'`.)";

constexpr std::string_view exit_notes = R"(A subscription without an end (no `-C`, `--until` or `--retained-only`) that is stopped by
SIGINT or SIGTERM exits 0: stopping it is how it is meant to end. When `-W` elapses the status
is 4, with or without `-C`.)";

constexpr std::string_view examples = R"(Print every temperature as it comes, with jq:

    mqtk sub -t 'sensors/#' --json | jq .payload.temperature

Wait for one message on a topic, for at most 10 seconds:

    mqtk sub -t jobs/42/result -C 1 -W 10

Print the topic and time of each message:

    mqtk sub -t 'home/#' -F '@H:@M:@S %t %p'

Record everything for a replay with mqtk pub --jsonl:

    mqtk sub -t '#' --json > capture.jsonl
    mqtk pub --jsonl --replay-timing < capture.jsonl

Wait until a job reports it is done:

    mqtk sub -t 'jobs/+/state' --until '.state="done"'

Keep a persistent session, so messages sent while away are delivered on return:

    mqtk sub -c -i archiver -q 1 -t 'logs/#' --json >> logs.jsonl

Clear every retained message under a prefix (it ends at the first message that is not
retained, or on Ctrl-C):

    mqtk sub -t 'test/#' --retained-only --remove-retained)";

}  // namespace

CommandProse sub_prose() {
  CommandProse prose;
  prose.description = description;
  prose.sections = {
      {"OUTPUT FORMAT", output_format},
      {"JSON OUTPUT", json_output},
      {"UNTIL EXPRESSIONS", until_syntax},
  };
  prose.exit_notes = exit_notes;
  prose.examples = examples;
  prose.see_also = {"mosquitto_sub(1)", "jq(1)", "strftime(3)"};
  return prose;
}

}  // namespace mqtk::cli::docs
