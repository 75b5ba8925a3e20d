#!/usr/bin/env bash
# Subscriber throughput: mosquitto_pub -l publishes N messages; each subscriber (mosquitto_sub,
# mqtk sub, mqtk sub --json) must print all N; rate = N / (first publish -> subscriber exit).
# Usage: bench/sub_drain.sh [N] [runs]   (prints one line per case and the ratios)
# At QoS 1 the lines are published by `mqtk pub -l` instead: mosquitto_pub -l exits before it has
# sent them all (~34,500 of 100,000 here, PERF-NOTES), and the subscribers would wait forever.
# Each subscriber gives up after 60 s (-W) so a short count warns instead of hanging.
source "$(dirname "$0")/lib.sh"
N=${1:-100000}
RUNS=${2:-3}
declare -A best
for qos in ${QOSES:-0 1}; do
  for size in ${SIZES:-64 1024}; do
    file=$(payload_file "$size" "$N")
    for tool in mosquitto_sub "mqtk" "mqtk --json"; do
      case "$tool" in
        mosquitto_sub) cmd=(mosquitto_sub) ;;
        mqtk) cmd=("$MQTK" sub) ;;
        "mqtk --json") cmd=("$MQTK" sub --json) ;;
      esac
      rates=()
      for _ in $(seq "$RUNS"); do
        out="$BENCH_DIR/out"
        "${cmd[@]}" -p "$BROKER_PORT" -t bench/sub -q "$qos" -C "$N" -W 60 > "$out" &
        sub=$!
        sleep 0.5
        start=$(now)
        if [ "$qos" = 0 ]; then
          mosquitto_pub -p "$BROKER_PORT" -t bench/sub -q 0 -l < "$file"
        else
          "$MQTK" pub -p "$BROKER_PORT" -t bench/sub -q "$qos" -l < "$file"
        fi
        wait "$sub" || true
        end=$(now)
        got=$(wc -l < "$out")
        [ "$got" -eq "$N" ] || echo "WARNING: $tool printed $got of $N" >&2
        rates+=("$(rate "$N" "$start" "$end")")
      done
      r=$(printf '%s\n' "${rates[@]}" | median)
      best["$qos/$size/$tool"]=$r
      printf 'qos %s  %5s B  %-14s %8s msg/s\n' "$qos" "$size" "$tool" "$r"
    done
    printf 'qos %s  %5s B  ratio mqtk/mosquitto_sub %s, --json/mosquitto_sub %s\n' "$qos" "$size" \
      "$(ratio "${best[$qos/$size/mqtk]}" "${best[$qos/$size/mosquitto_sub]}")" \
      "$(ratio "${best[$qos/$size/mqtk --json]}" "${best[$qos/$size/mosquitto_sub]}")"
  done
done
