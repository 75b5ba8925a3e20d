#!/usr/bin/env bash
# Soak test (not in CI): `mqtk sub` (persistent session, QoS 1) and `mqtk pub -l -q 1
# --reconnect` run for N minutes against a mosquitto with persistence that is restarted
# (SIGTERM, so it saves its sessions) every few seconds; `mqtk bridge` joins in, relaying to a
# second mosquitto, when this build has it. At the end: messages sent / received / lost /
# duplicated per receiver, and each mqtk process's RSS sampled over the run (first, last, max;
# it must stay flat). Exit status 1 when a message was lost or a process died early.
#
# Usage: bench/soak.sh [MINUTES]                 (default 10)
#   SOAK_RATE=200            lines per second fed to `mqtk pub -l`
#   SOAK_RESTART_EVERY=30    seconds between broker restarts (0: never)
#   SOAK_SAMPLE_EVERY=5      seconds between RSS samples
#   SOAK_BRIDGE_ARGS='...'   how to call `mqtk bridge` (the words after `bridge`); BROKER_A and
#                            BROKER_B are replaced by the two brokers' ports
#   MQTK=path                the binary (default: build-release/mqtk, built if missing)
#   SOAK_KEEP=1              keep the work directory (logs, outputs, rss.csv)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MINUTES=${1:-10}
RATE=${SOAK_RATE:-200}
RESTART_EVERY=${SOAK_RESTART_EVERY:-30}
SAMPLE_EVERY=${SOAK_SAMPLE_EVERY:-5}
MQTK=${MQTK:-$ROOT/build-release/mqtk}
if [ ! -x "$MQTK" ]; then
  echo "building a release mqtk in build-release/ (set MQTK=path to use another)" >&2
  cmake -S "$ROOT" -B "$ROOT/build-release" -DCMAKE_BUILD_TYPE=Release -DMQTK_BUILD_TESTS=OFF >/dev/null
  cmake --build "$ROOT/build-release" -j "$(nproc)" --target mqtk >/dev/null
fi

WORK=$(mktemp -d -t mqtk-soak.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

declare -A broker_pid
# start_broker NAME PORT: mosquitto with persistence in $WORK/NAME, on PORT.
start_broker() {
  local name=$1 port=$2 dir=$WORK/$1
  mkdir -p "$dir"
  {
    [ "$(id -u)" -eq 0 ] && echo "user root"
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence true\n' "$port"
    printf 'persistence_location %s/\nautosave_interval 1\nmax_queued_messages 0\n' "$dir"
    printf 'log_dest file %s/mosquitto.log\nlog_type error\nlog_type warning\nlog_type notice\n' "$dir"
  } > "$dir/mosquitto.conf"
  /usr/sbin/mosquitto -c "$dir/mosquitto.conf" >> "$dir/mosquitto.out" 2>&1 &
  broker_pid[$name]=$!
  for _ in $(seq 100); do
    mosquitto_pub -p "$port" -t soak/ping -n 2>/dev/null && return 0
    sleep 0.05
  done
  echo "soak: mosquitto $name did not start on port $port" >&2
  return 1
}
stop_broker() {
  local pid=${broker_pid[$1]:-}
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  broker_pid[$1]=
}

children=()
cleanup() {
  for pid in "${children[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for name in "${!broker_pid[@]}"; do stop_broker "$name"; done
  if [ -n "${SOAK_KEEP:-}" ]; then echo "soak: work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

PORT_A=$(free_port)
PORT_B=$(free_port)
start_broker a "$PORT_A"

use_bridge=
# An mqtk without the command prints the top-level help for `bridge --help`, also with status 0.
if "$MQTK" bridge --help 2>/dev/null | grep -q '^Usage: .*bridge'; then
  use_bridge=1
  start_broker b "$PORT_B"
else
  echo "soak: this mqtk has no 'bridge' command: running sub + pub only" >&2
fi

# Receivers first, each with a persistent session, so nothing published later can miss them.
"$MQTK" sub -p "$PORT_A" -i soak-sub -c -q 1 -t 'soak/data' > "$WORK/sub.out" 2> "$WORK/sub.err" &
sub_pid=$!
children+=("$sub_pid")
declare -A watched=([sub]=$sub_pid)
if [ -n "$use_bridge" ]; then
  bridge_args=${SOAK_BRIDGE_ARGS:-"--from-port BROKER_A --to-port BROKER_B -t soak/data -q 1 --from-id soak-bridge-in --from-disable-clean-session --to-id soak-bridge-out"}
  bridge_args=${bridge_args//BROKER_A/$PORT_A}
  bridge_args=${bridge_args//BROKER_B/$PORT_B}
  "$MQTK" sub -p "$PORT_B" -i soak-sub-b -c -q 1 -t 'soak/data' > "$WORK/sub_b.out" 2> "$WORK/sub_b.err" &
  children+=("$!")
  watched[sub_b]=$!
  # shellcheck disable=SC2086  # the arguments are words by design
  "$MQTK" bridge $bridge_args > "$WORK/bridge.out" 2> "$WORK/bridge.err" &
  children+=("$!")
  watched[bridge]=$!
fi
sleep 1  # let the subscriptions settle before the first publish (a session catches the rest)

# The publisher: numbered lines at RATE per second for MINUTES, through a FIFO so mqtk reads
# them as they come. A line counts as sent once it is in the pipe to mqtk (mqtk then owns it);
# the generator blocks while mqtk does not read.
duration=$(python3 -c "print(float('$MINUTES') * 60)")
mkfifo "$WORK/lines"
python3 -u -c '
import sys, time
rate, duration, count_file = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
start = time.monotonic(); n = 0
while time.monotonic() - start < duration:
    n += 1
    sys.stdout.write(f"{n}\n"); sys.stdout.flush()
    delay = start + n / rate - time.monotonic()
    if delay > 0: time.sleep(delay)
open(count_file, "w").write(str(n))
' "$RATE" "$duration" "$WORK/sent" > "$WORK/lines" &
gen_pid=$!
children+=("$gen_pid")
"$MQTK" pub -p "$PORT_A" -i soak-pub -t soak/data -q 1 -l --reconnect --ack-timeout 60 \
  < "$WORK/lines" > "$WORK/pub.out" 2> "$WORK/pub.err" &
pub_pid=$!
children+=("$pub_pid")
watched[pub]=$pub_pid

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo ""; }
echo "t_s,process,rss_kb" > "$WORK/rss.csv"
start_s=$(date +%s)
next_restart=$((start_s + RESTART_EVERY))
restarts=0
echo "soak: ${MINUTES} min, $RATE lines/s, broker restart every ${RESTART_EVERY}s, bridge: ${use_bridge:-no}; work dir $WORK" >&2
while kill -0 "$gen_pid" 2>/dev/null; do
  now_s=$(date +%s)
  for name in "${!watched[@]}"; do
    rss=$(rss_kb "${watched[$name]}")
    [ -n "$rss" ] && echo "$((now_s - start_s)),$name,$rss" >> "$WORK/rss.csv"
  done
  if [ "$RESTART_EVERY" -gt 0 ] && [ "$now_s" -ge "$next_restart" ]; then
    stop_broker a
    sleep 1  # down for a moment: clients see the connection refused and back off
    start_broker a "$PORT_A"
    restarts=$((restarts + 1))
    next_restart=$((now_s + RESTART_EVERY))
  fi
  sleep "$SAMPLE_EVERY"
done

# The publisher ends at EOF once every QoS 1 line is acknowledged; then the receivers get a
# grace period to print what the broker still holds for them.
pub_status=0
wait "$pub_pid" || pub_status=$?
sent=$(cat "$WORK/sent" 2>/dev/null || echo 0)
wait_for_lines() {  # FILE COUNT
  for _ in $(seq 300); do
    [ "$(sort -u "$1" | wc -l)" -ge "$2" ] && return 0
    sleep 0.1
  done
}
wait_for_lines "$WORK/sub.out" "$sent"
[ -n "$use_bridge" ] && wait_for_lines "$WORK/sub_b.out" "$sent"
end_s=$(date +%s)
for name in "${!watched[@]}"; do
  [ "$name" = pub ] && continue
  rss=$(rss_kb "${watched[$name]}")
  [ -n "$rss" ] && echo "$((end_s - start_s)),$name,$rss" >> "$WORK/rss.csv"
done

died=0
for name in "${!watched[@]}"; do
  [ "$name" = pub ] && continue
  if ! kill -0 "${watched[$name]}" 2>/dev/null; then
    echo "soak: mqtk $name exited early; its stderr:" >&2
    tail -5 "$WORK/$name.err" >&2
    died=1
  else
    kill -INT "${watched[$name]}"
    wait "${watched[$name]}" 2>/dev/null || true
  fi
done

report() {  # NAME FILE
  python3 - "$1" "$2" "$sent" <<'PY'
import sys
name, path, sent = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(path, encoding="utf-8", errors="replace").read().split("\n")[:-1]
seen = set(); dup = 0; out_of_order = 0; last = 0
for line in lines:
    n = int(line) if line.isdigit() else -1
    if n in seen: dup += 1
    else:
        if n < last: out_of_order += 1
        seen.add(n); last = max(last, n)
lost = len(set(range(1, sent + 1)) - seen)
print(f"{name:8} received {len(lines):8} unique {len(seen):8} lost {lost:6} duplicates {dup:6} reordered {out_of_order}")
sys.exit(1 if lost else 0)
PY
}
echo
echo "sent     $sent lines in $((end_s - start_s)) s, $restarts broker restarts, mqtk pub exit status $pub_status"
lost=0
report sub "$WORK/sub.out" || lost=1
[ -n "$use_bridge" ] && { report bridged "$WORK/sub_b.out" || lost=1; }
echo
echo "RSS (kB) sampled every ${SAMPLE_EVERY}s:"
python3 - "$WORK/rss.csv" <<'PY'
import csv, sys
series = {}
for row in csv.DictReader(open(sys.argv[1])):
    series.setdefault(row["process"], []).append(int(row["rss_kb"]))
for name, values in sorted(series.items()):
    print(f"  {name:8} first {values[0]:7} last {values[-1]:7} max {max(values):7} samples {len(values)}")
PY
grep -h -i "error\|lost\|dropped" "$WORK"/*.err 2>/dev/null | sort | uniq -c | sort -rn | head -5 | sed 's/^/stderr: /' || true
[ "$lost" -eq 0 ] && [ "$died" -eq 0 ] && [ "$pub_status" -eq 0 ]
