// Hand-written man page prose for mqtk(1), conn, pub and rr; sub's is in prose_sub.cpp, bridge's in
// prose_bridge.cpp.
// Markup: see prose.hpp.

#include "cli/docs/prose.hpp"

namespace mqtk::cli::docs {

CommandProse sub_prose();  // prose_sub.cpp
CommandProse bridge_prose();  // prose_bridge.cpp
CommandProse bench_prose();  // prose_bench.cpp

namespace {

CommandProse overview_prose() {
  CommandProse prose;
  prose.description = R"(`mqtk` is a command-line toolkit for MQTT brokers: subscribe, publish, send requests
and check connections from the shell. Its flags follow mosquitto_sub, mosquitto_pub and
mosquitto_rr 2.0 wherever those have one, so their users' habits and scripts carry over;
beyond them it adds long options such as `--json`, `--queue` and `--reconnect`.

Standard output carries data only (payloads, templates, JSON Lines); diagnostics go to
standard error, more with `-d`, fewer with `--quiet`. Help is `--help`, because `-h` is the
broker host as in every MQTT client.

Every command takes the same connection flags (broker, authentication, will, TLS, reconnect),
documented in each command's page. Values left unset come from the environment (see
ENVIRONMENT), then from the configuration files (see FILES), then from the defaults.)";
  prose.sections = {
      {"SHELL COMPLETION",
       R"(Completions for bash, zsh and fish, and these pages, are generated from the command-line
definition by the hidden command `mqtk completions bash|zsh|fish` (to standard output; also
spelled `mqtk generate`) and `mqtk generate man DIR`, so they always list the flags of the
binary that wrote them. Installed packages put them where the shells look already.

- bash: copy `completions/mqtk.bash` to `/usr/share/bash-completion/completions/mqtk`,
  or source it from `~/.bashrc`.
- zsh: put `completions/_mqtk` in a directory on `$fpath`, then run `compinit`.
- fish: copy `completions/mqtk.fish` to `~/.config/fish/completions/`.)"},
  };
  prose.examples = R"(Check that a broker is reachable and see what it grants:

    mqtk conn -h broker.example -V 5

Follow a topic tree, with topics:

    mqtk sub -h broker.example -t 'sensors/#' -v

Publish one retained message over TLS:

    mqtk pub -L mqtts://user@broker.example/status -r -m online --cafile ca.pem)";
  prose.see_also = {"mosquitto_sub(1)", "mosquitto_pub(1)", "mosquitto_rr(1)", "jq(1)"};
  return prose;
}

CommandProse conn_prose() {
  CommandProse prose;
  prose.description = R"(`mqtk conn` connects to the broker with the given connection flags, prints what the broker
granted in its CONNACK and disconnects. It answers "can I connect, and with what?" before a
longer-running command is set up, and tells a network, TLS or authentication problem apart by
its exit status.

The report lists the broker, the client id, the protocol version, whether a session was
present and, under MQTT 5 (`-V 5`), every CONNACK property the broker sent: receive maximum,
maximum QoS, retain available, maximum packet size, assigned client id, topic alias maximum,
wildcard, subscription identifier and shared subscription availability, server keep alive and
more. `--json` prints the same as one JSON object, for scripts.)";
  prose.examples = R"(What does an MQTT 5 broker allow?

    mqtk conn -h broker.example -V 5

The receive maximum, in a script:

    mqtk conn -V 5 --json | jq .receive_maximum

Is the persistent session of client `logger` still there?

    mqtk conn -i logger -c -V 5 -x 3600 --json | jq .session_present)";
  prose.see_also = {"mosquitto_sub(1)"};
  return prose;
}

CommandProse pub_prose() {
  CommandProse prose;
  prose.description = R"(`mqtk pub` publishes to the broker, from exactly one source: `-m` (the argument), `-f`
(a file), `-s` (all of standard input as one message), `-l` (each line of standard input as a
message), `-n` (an empty payload), `--size` (random text) or `--jsonl` (the records of a
`mqtk sub --json` capture). `-m` with `--format hex` or `--format base64` sends binary data.

With `-l` each line is published as soon as it arrives, so `tail -f` can feed it. An empty
line is an empty message and a final line without newline is published too; bytes are sent as
given. At most the broker's receive maximum of messages are in flight and a faster standard
input simply waits, so memory stays bounded.

`--jsonl` reads the JSON Lines that `mqtk sub --json` writes, from standard input or `-f FILE`,
and publishes each record to its own topic with its QoS, retain flag and MQTT 5 properties.
Fields a record lacks come from the command line (`-t`, `-q`, `-r`, `-D publish ...`).
`--replay-timing` keeps the gaps between the records' `received_at` times (`--speed` scales
them, `--loop` starts over at the end), so a capture can be replayed as it happened. A
malformed line is reported with its line number; `--on-error` decides whether it stops the run
or is skipped.

At the end mqtk waits up to `--ack-timeout` seconds for every QoS 1 and 2 acknowledgement
before it exits, and says how many are missing if some never came. A payload larger than the
broker's MQTT 5 maximum packet size is refused before it is sent, naming both sizes.

One message (`-m`, `-f`, `-s`, `-n` or `--size`, without `--repeat`) to a plain `mqtt://`
broker is sent over mqtk's own small MQTT connection instead of the full client, which needs
a network thread and is slower to start and stop: what scripts that call
`mqtk pub` in a loop want. TLS, websockets, a proxy, a will, `-D` properties and
`--reconnect` use the full client. Both print the same messages and exit with the same
status; `-d` says when the direct path is taken, `-dd` why it was not.)";
  prose.exit_notes = R"(Status 4 means some QoS>0 messages were never acknowledged within `--ack-timeout`. A
`--jsonl` or `--validate-json` line that cannot be used exits 2 with `--on-error stop`, after
everything before it was delivered.)";
  prose.examples = R"(Publish a retained status message:

    mqtk pub -t devices/pump1/status -r -q 1 -m online

Publish each new line of a log as it is written:

    tail -f /var/log/app.log | mqtk pub -t logs/app -l -q 1

Record everything, then replay it later with the original timing:

    mqtk sub -t '#' --json > capture.jsonl
    mqtk pub --jsonl --replay-timing < capture.jsonl

Send binary data given as hex, with an MQTT 5 content type:

    mqtk pub -V 5 -t raw/frame -m 00ff7f --format hex \
        -D publish content-type application/octet-stream)";
  prose.see_also = {"mosquitto_pub(1)"};
  return prose;
}

CommandProse rr_prose() {
  CommandProse prose;
  prose.description = R"(`mqtk rr` sends one MQTT 5 request and prints the response, as mosquitto_rr does: it
subscribes to the response topic (`-e`), publishes the payload to the request topic (`-t`)
with the response topic and a correlation data attached, and prints what comes back with the
output options of `mqtk sub` (`-v`, `-N`, `-F`, `--json`).

Every request carries a fresh random correlation data (or the one given with
`--correlation-data`), and only responses that carry it back count, so a stale retained
message on the response topic cannot answer the request. `-C N` waits for N responses;
`-W` gives up after that many seconds.

The payload comes from `-m`, `-f`, `-s`, `-n` or `--size`, as in `mqtk pub`. MQTT 5 is the
default protocol version; `-V 3.1.1` is refused because MQTT 3 has no response topic.)";
  prose.exit_notes = R"(Status 4 means `-W` elapsed before `-C` responses arrived.)";
  prose.examples = R"(Ask a service and print its answer:

    mqtk rr -t services/clock/get -e replies/clock -m now

Collect three answers within five seconds, as JSON:

    mqtk rr -t fleet/ping -e fleet/pong -C 3 -W 5 --json | jq -r .payload)";
  prose.see_also = {"mosquitto_rr(1)"};
  return prose;
}

}  // namespace

CommandProse prose_for(std::string_view command, std::string_view summary) {
  if (command.empty()) return overview_prose();
  if (command == "conn") return conn_prose();
  if (command == "sub") return sub_prose();
  if (command == "pub") return pub_prose();
  if (command == "rr") return rr_prose();
  if (command == "bridge") return bridge_prose();
  if (command == "bench") return bench_prose();
  CommandProse prose;
  prose.description = summary;
  return prose;
}

std::vector<ExitStatusDoc> exit_statuses() {
  return {
      {ExitCode::ok,
       "Success: the work is done (count reached, --until matched, input published and "
       "acknowledged), or the reader of standard output went away."},
      {ExitCode::runtime,
       "Runtime error: the broker refused an operation (a SUBACK or PUBACK failure, naming the "
       "filter or topic and the reason), the connection was lost without --reconnect, or "
       "writing standard output failed."},
      {ExitCode::usage,
       "Usage error: an unknown flag, a bad value, an invalid topic or filter, an unreadable "
       "input file. Nothing was sent."},
      {ExitCode::connect,
       "Could not connect: a network or DNS failure, a TLS failure, or the broker refused the "
       "connection (the CONNACK reason is named)."},
      {ExitCode::timeout,
       "Timed out: -W elapsed before the work was done, or QoS>0 acknowledgements were still "
       "missing at exit."},
      {ExitCode::interrupted, "SIGINT interrupted unfinished work."},
      {ExitCode::terminated, "SIGTERM interrupted unfinished work."},
  };
}

std::string_view files_text() {
  return R"(* $XDG_CONFIG_HOME/mqtk/config.json :: mqtk's settings (default
  `~/.config/mqtk/config.json`): a JSON object with up to three sections, each mapping a
  connection flag's long name to its value: `defaults` for every command, `commands` with one
  section per command (`"sub": {...}`), and named `profiles` chosen with `--profile NAME` or
  `MQTK_PROFILE`. Paths may start with `~/`; `"password"` stands for `--pw`; a flag is `true`
  or `false`; a repeatable flag takes an array.

* $XDG_CONFIG_HOME/mosquitto_sub, mosquitto_pub, mosquitto_rr :: mosquitto's own option
  files (default under `~/.config`), read for `mqtk sub`, `pub` and `rr` when config.json has no
  `commands` section for the command: one option per line, as on the command line. Only the
  connection options are taken; other lines are reported and skipped.

A value comes from the first of: the command line, the environment, the profile, the command's
section (or mosquitto's file), the defaults section, the built-in default. `--print-config`
shows each effective value and where it came from, never a password:

    {
      "defaults": {"host": "broker.lan", "protocol-version": "5"},
      "commands": {"sub": {"keepalive": 30}},
      "profiles": {
        "prod": {"host": "mqtt.example.com", "port": 8883, "cafile": "~/certs/ca.pem",
                 "username": "ops", "password-file": "~/.config/mqtk/prod.pw"}
      }
    }
    mqtk sub --profile prod -t 'alerts/#' --print-config)";
}

std::vector<EnvironmentDoc> environment_variables() {
  return {
      {"MQTK_HOST", "The broker host when neither -h nor -L is given."},
      {"MQTK_PORT", "The broker port when neither -p nor -L is given."},
      {"MQTK_USERNAME", "The user name when neither -u nor -L gives one."},
      {"MQTK_PASSWORD",
       "The password when neither -P, --password-file nor -L gives one; unlike -P it does not "
       "show in the process list."},
      {"MQTK_PROXY",
       "The proxy URL when --proxy is not given. http_proxy and https_proxy are ignored: they "
       "are meant for HTTP clients."},
      {"MQTK_PROFILE", "The profile of the config file to use when --profile is not given."},
      {"XDG_CONFIG_HOME",
       "Where the configuration files are (see FILES); ~/.config when unset or not absolute."},
      {"NO_COLOR", "When set, diagnostics on standard error are never coloured."},
      {"TZ", "The time zone of the times that -F prints (%I, %j, %J and the @ specifiers)."},
  };
}

}  // namespace mqtk::cli::docs
