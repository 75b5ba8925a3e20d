#!/usr/bin/env bash
# One-shot publish wall time: connect, publish one QoS 1 message, exit; hyperfine runs both.
source "$(dirname "$0")/lib.sh"
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }
hyperfine -N --warmup 5 --runs "${1:-100}" \
  "mosquitto_pub -h 127.0.0.1 -p $BROKER_PORT -t bench/one -q 1 -m x" \
  "$MQTK pub -h 127.0.0.1 -p $BROKER_PORT -t bench/one -q 1 -m x"
