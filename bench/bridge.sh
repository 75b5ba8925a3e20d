#!/usr/bin/env bash
# Bridge forwarding throughput: N messages published into a source broker (the lib.sh one) and
# counted at a destination broker, through `mqtk bridge` and, as the anchor, through mosquitto's
# own bridge (a `connection` block in a third broker's config, pulling from the source), both set
# up in the same run. Rate = delivered / (publisher start -> last message at the destination).
# Usage: bench/bridge.sh [N] [runs]   (BRIDGE_FLAGS='--max-inflight 1000' adds mqtk bridge flags)
source "$(dirname "$0")/lib.sh"
N=${1:-50000}
RUNS=${2:-3}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_broker() {  # name port [extra config lines...]
  local name=$1 port=$2
  shift 2
  { printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\n' "$port"
    printf '%s\n' "$@"; } > "$BENCH_DIR/$name.conf"
  /usr/sbin/mosquitto -c "$BENCH_DIR/$name.conf" > "$BENCH_DIR/$name.log" 2>&1 &
  echo $!
}
wait_broker() { for _ in $(seq 50); do mosquitto_pub -p "$1" -t ping -n 2>/dev/null && return; sleep 0.1; done; }

MQTK_DEST_PORT=$(free_port)
MOSQ_DEST_PORT=$(free_port)
MQTK_DEST_PID=$(start_broker mqtk-dest "$MQTK_DEST_PORT")
# mosquitto's bridge: the destination broker connects to the source and pulls bench/mosq/#, at
# the QoS of the run (two bridges, one per QoS, so each run uses the one it needs).
MOSQ_DEST_PID=$(start_broker mosq-dest "$MOSQ_DEST_PORT" \
  "connection bench-q0" "address 127.0.0.1:$BROKER_PORT" "cleansession true" "topic bench/mosq0/# in 0" \
  "connection bench-q1" "address 127.0.0.1:$BROKER_PORT" "cleansession false" "topic bench/mosq1/# in 1")
trap 'kill $MQTK_DEST_PID $MOSQ_DEST_PID $BRIDGE_PID $BROKER_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$BENCH_DIR"' EXIT
wait_broker "$MQTK_DEST_PORT"
wait_broker "$MOSQ_DEST_PORT"

"$MQTK" bridge --from "mqtt://127.0.0.1:$BROKER_PORT" --to "mqtt://127.0.0.1:$MQTK_DEST_PORT" \
  --name bench ${BRIDGE_FLAGS:-} -t 'bench/mqtk0/#' -q 0 -t 'bench/mqtk1/#' -q 1 --quiet &
BRIDGE_PID=$!
# Both bridges forward before anything is measured: a probe must come through each.
for probe in "mqtk1 $MQTK_DEST_PORT" "mosq1 $MOSQ_DEST_PORT"; do
  set -- $probe
  for _ in $(seq 50); do
    mosquitto_pub -p "$BROKER_PORT" -t "bench/$1/probe" -m ready -q 1 -r
    mosquitto_sub -p "$2" -t "bench/$1/probe" -C 1 -W 1 >/dev/null 2>&1 && break
  done
done

file=$(payload_file 64 "$N")
# One run through each bridge in turn, RUNS times, so that a slower spell of this shared machine
# falls on both and not on one tool's block of runs; the median of each tool's runs is kept.
one_run() {  # qos tool -> prints "rate delivered"
  local qos=$1 tool=$2 port topic out sub start end delivered
  if [ "$tool" = mqtk ]; then port=$MQTK_DEST_PORT; topic=bench/mqtk$qos/x; else port=$MOSQ_DEST_PORT; topic=bench/mosq$qos/x; fi
  out="$BENCH_DIR/out"
  timeout 120 mosquitto_sub -p "$port" -t "$topic" -q "$qos" -C "$N" -W 60 > "$out" &
  sub=$!
  sleep 0.5
  start=$(now)
  "$MQTK" pub -p "$BROKER_PORT" -t "$topic" -q "$qos" -l < "$file"
  wait "$sub" || true
  end=$(now)
  delivered=$(wc -l < "$out")
  echo "$(rate "$delivered" "$start" "$end") $delivered"
}
declare -A best
for qos in 0 1; do
  declare -A rates=() delivered=()
  for _ in $(seq "$RUNS"); do
    for tool in mosquitto mqtk; do
      read -r r d < <(one_run "$qos" "$tool")
      rates[$tool]+="$r "
      delivered[$tool]=$d
    done
  done
  for tool in mosquitto mqtk; do
    r=$(printf '%s\n' ${rates[$tool]} | median)
    best["$qos/$tool"]=$r
    printf 'qos %s  %-22s %8s msg/s  delivered %s of %s (last run)  runs: %s\n' "$qos" "$tool bridge" "$r" "${delivered[$tool]}" "$N" "${rates[$tool]}"
  done
  printf 'qos %s  ratio mqtk bridge / mosquitto bridge %s\n' "$qos" "$(ratio "${best[$qos/mqtk]}" "${best[$qos/mosquitto]}")"
done
