#!/usr/bin/env bash
# Fan-in through one local mosquitto, mqtk bench pub vs an MQTT.js load script (npm mqtt), each
# verified by a mosquitto_sub that counts what arrived and stamps each arrival:
#   1,000 clients x 100 messages and 2,000 x 10, QoS 0, 64 B; 20 clients x 5,000 at QoS 1.
# Per run: delivered msg/s (arrivals over first..last arrival), connection setup rate
# (clients / time to connect all), and client CPU seconds per million messages (user+sys of
# the load process, /usr/bin/time). REPS=3 for medians over three runs (default 1).
set -euo pipefail
ulimit -n "$(ulimit -Hn)"  # 2,000 clients: the broker (started by lib.sh) inherits it
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
REPS=${REPS:-1}

node_dir="$BENCH_ROOT/bench/.node"
have_node=0
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -d "$node_dir/node_modules/mqtt" ]; then
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-save mqtt@5 >/dev/null 2>&1 || echo "npm install mqtt failed: MQTT.js rows skipped" >&2
  fi
  [ -d "$node_dir/node_modules/mqtt" ] && have_node=1
fi

# run_case TOOL CLIENTS MESSAGES QOS -> "delivered_per_s conn_per_s cpu_s_per_million received"
run_case() {
  local tool=$1 clients=$2 messages=$3 qos=$4 size=64
  local total=$((clients * messages)) rx="$BENCH_DIR/rx.txt" topic="fanin/$RANDOM"
  rm -f "$rx"
  # The sink: one line per arrival (its receive time); the first is our readiness marker.
  mosquitto_sub -p "$BROKER_PORT" -t "$topic/#" -q "$qos" -C $((total + 1)) -W 120 -F '%U' > "$rx" 2>/dev/null &
  local sink=$!
  until [ -s "$rx" ]; do mosquitto_pub -p "$BROKER_PORT" -t "$topic/ready" -n -q "$qos"; done
  local conn_s
  case $tool in
    mqtk)
      /usr/bin/time -f '%U %S' -o "$BENCH_DIR/cpu.txt" "$MQTK" bench pub -p "$BROKER_PORT" -h 127.0.0.1 \
        -c "$clients" -L "$messages" -q "$qos" -s "$size" -t "$topic/%i" --json --quiet > "$BENCH_DIR/report.json"
      conn_s=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['connect_duration_s'])" "$BENCH_DIR/report.json") ;;
    mqtt.js)
      MQTT_MODULE="$node_dir/node_modules/mqtt" /usr/bin/time -f '%U %S' -o "$BENCH_DIR/cpu.txt" \
        node "$BENCH_DIR/fanin.js" "$BROKER_PORT" "$clients" "$messages" "$qos" "$size" "$topic" 100 2> "$BENCH_DIR/node.err"
      conn_s=$(sed -n 's/^connect_s=//p' "$BENCH_DIR/node.err") ;;
  esac
  wait "$sink" || true
  python3 - "$rx" "$total" "$clients" "$conn_s" $(tail -1 "$BENCH_DIR/cpu.txt") <<'PY'
import sys
lines = open(sys.argv[1]).read().split()
total, clients, conn_s = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4] or 0)
user, system = (float(x) for x in sys.argv[5:7])
times = [float(t) for t in lines[1:]]
received = len(times)
span = times[-1] - times[0] if received > 1 else 0
rate = received / span if span > 0 else 0
print(f"{rate:.0f} {clients / conn_s if conn_s else 0:.0f} {(user + system) / max(received, 1) * 1e6:.2f} {received}/{total}")
PY
}

cp "$BENCH_ROOT/bench/fanin.js" "$BENCH_DIR/fanin.js"
tools=(mqtk)
[ "$have_node" = 1 ] && tools+=(mqtt.js)
printf '%-22s %-8s %14s %10s %16s %14s\n' "case" "tool" "delivered/s" "conn/s" "cpu s/M msgs" "received"
declare -A rate cpu
for spec in "1000 100 0" "2000 10 0" "20 5000 1"; do
  read -r clients messages qos <<< "$spec"
  name="${clients}x${messages} QoS $qos"
  for tool in "${tools[@]}"; do
    results=()
    for _ in $(seq "$REPS"); do results+=("$(run_case "$tool" "$clients" "$messages" "$qos")"); done
    # the median run by delivered rate
    line=$(printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}')
    read -r r c u got <<< "$line"
    rate[$name/$tool]=$r
    cpu[$name/$tool]=$u
    printf '%-22s %-8s %14s %10s %16s %14s\n' "$name" "$tool" "$r" "$c" "$u" "$got"
  done
  if [ "$have_node" = 1 ]; then
    printf '%-22s mqtk/mqtt.js: delivered %s, cpu per message %s\n' "$name" \
      "$(ratio "${rate[$name/mqtk]}" "${rate[$name/mqtt.js]}")" "$(ratio "${cpu[$name/mqtk]}" "${cpu[$name/mqtt.js]}")"
  fi
done
