#!/usr/bin/env bash
# Publisher throughput with -l: N lines through mqtk pub -l, mosquitto_pub -l and (if node and
# npm's mqtt are available) an MQTT.js script; a mosquitto_sub counts what really arrived.
# Rate = delivered / (publisher start -> last message received).
# Usage: bench/pub_lines.sh [N] [runs]
source "$(dirname "$0")/lib.sh"
N=${1:-100000}
RUNS=${2:-3}
node_dir="$BENCH_ROOT/bench/.node"
have_node=0
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -d "$node_dir/node_modules/mqtt" ]; then
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-save mqtt@5 >/dev/null 2>&1 || echo "npm install mqtt failed: MQTT.js column skipped" >&2
  fi
  [ -d "$node_dir/node_modules/mqtt" ] && have_node=1
fi
cat > "$BENCH_DIR/pub.js" <<'JS'
// MQTT.js reference publisher: reads stdin lines, publishes each, exits after all acks.
const mqtt = require(process.env.MQTT_MODULE);
const readline = require('readline');
const [port, topic, qos] = process.argv.slice(2);
const client = mqtt.connect(`mqtt://127.0.0.1:${port}`);
client.on('connect', () => {
  const rl = readline.createInterface({ input: process.stdin });
  let pending = 0, done = false;
  const finish = () => { if (done && pending === 0) client.end(); };
  // A window like mqtk's: stop reading while 1000 publishes are unacknowledged (or unwritten).
  rl.on('line', (line) => {
    pending++;
    if (pending >= 1000) rl.pause();
    client.publish(topic, line, { qos: Number(qos) }, () => {
      pending--;
      if (pending < 500) rl.resume();
      finish();
    });
  });
  rl.on('close', () => { done = true; finish(); });
});
JS
declare -A best
# QOSES="0" SIZES="64" bench/pub_lines.sh ... runs one case (mosquitto_pub's QoS 1 runs wait out
# their 60 s timeout, as it exits before sending everything).
for qos in ${QOSES:-0 1}; do
  for size in ${SIZES:-64 1024}; do
    file=$(payload_file "$size" "$N")
    tools=(mosquitto_pub mqtk)
    [ "$have_node" = 1 ] && tools+=(mqtt.js)
    for tool in "${tools[@]}"; do
      rates=()
      delivered=0
      for _ in $(seq "$RUNS"); do
        out="$BENCH_DIR/out"
        timeout 120 mosquitto_sub -p "$BROKER_PORT" -t bench/pub -q "$qos" -C "$N" -W 60 > "$out" &
        sub=$!
        sleep 0.5
        start=$(now)
        case "$tool" in
          mosquitto_pub) mosquitto_pub -p "$BROKER_PORT" -t bench/pub -q "$qos" -l < "$file" ;;
          mqtk) "$MQTK" pub -p "$BROKER_PORT" -t bench/pub -q "$qos" -l < "$file" ;;
          mqtt.js) MQTT_MODULE="$node_dir/node_modules/mqtt" node "$BENCH_DIR/pub.js" "$BROKER_PORT" bench/pub "$qos" < "$file" ;;
        esac
        wait "$sub" || true
        end=$(now)
        delivered=$(wc -l < "$out")
        rates+=("$(rate "$delivered" "$start" "$end")")
      done
      r=$(printf '%s\n' "${rates[@]}" | median)
      best["$qos/$size/$tool"]=$r
      printf 'qos %s  %5s B  %-14s %8s msg/s  delivered %s of %s (last run)\n' "$qos" "$size" "$tool" "$r" "$delivered" "$N"
    done
    printf 'qos %s  %5s B  ratio mqtk/mosquitto_pub %s' "$qos" "$size" \
      "$(ratio "${best[$qos/$size/mqtk]}" "${best[$qos/$size/mosquitto_pub]}")"
    [ "$have_node" = 1 ] && printf ', mqtk/mqtt.js %s' "$(ratio "${best[$qos/$size/mqtk]}" "${best[$qos/$size/mqtt.js]}")"
    echo
  done
done
