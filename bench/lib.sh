# Shared by the bench/ scripts: a private mosquitto on a free loopback port (QoS 0 queue limits
# lifted so the broker does not drop what a slower client has not read yet), and timing helpers.
# shellcheck shell=bash
set -euo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MQTK=${MQTK:-$BENCH_ROOT/build-release/mqtk}
if [ ! -x "$MQTK" ]; then
  echo "building a release mqtk in build-release/ (set MQTK=path to use another)" >&2
  cmake -S "$BENCH_ROOT" -B "$BENCH_ROOT/build-release" -DCMAKE_BUILD_TYPE=Release -DMQTK_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BENCH_ROOT/build-release" -j "$(nproc)" --target mqtk >/dev/null
fi
BENCH_DIR=$(mktemp -d)
BROKER_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\n' \
  "$BROKER_PORT" > "$BENCH_DIR/mosquitto.conf"
/usr/sbin/mosquitto -c "$BENCH_DIR/mosquitto.conf" > "$BENCH_DIR/mosquitto.log" 2>&1 &
BROKER_PID=$!
trap 'kill $BROKER_PID 2>/dev/null; wait $BROKER_PID 2>/dev/null; rm -rf "$BENCH_DIR"' EXIT
for _ in $(seq 50); do mosquitto_pub -p "$BROKER_PORT" -t ping -n 2>/dev/null && break; sleep 0.1; done

now() { date +%s.%N; }
rate() { python3 -c "import sys; n,a,b=float(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print(int(n/(b-a)) if b>a else 0)" "$@"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$@"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# payload_file SIZE COUNT -> path of a file with COUNT lines of SIZE-1 'x' characters
payload_file() {
  local f="$BENCH_DIR/payload-$1-$2.txt"
  [ -f "$f" ] || python3 -c "import sys; l='x'*(int(sys.argv[1])-1)+'\n'; sys.stdout.write(l*int(sys.argv[2]))" "$1" "$2" > "$f"
  echo "$f"
}
