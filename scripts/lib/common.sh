# Shared by scripts/test and scripts/demo: install what is missing, configure and build.
# shellcheck shell=bash

MQTK_PACKAGES=(
  g++ cmake ninja-build pkg-config
  libpaho-mqttpp-dev libpaho-mqtt-dev libcli11-dev nlohmann-json3-dev libspdlog-dev doctest-dev libssl-dev
  mosquitto mosquitto-clients openssl socat jq bash-completion groff-base
  tinyproxy dante-server dpkg-dev
)

ensure_packages() {
  local missing=()
  for pkg in "${MQTK_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "mqtk: missing packages: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  echo "==> installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build DIR [extra cmake args...]
build_mqtk() {
  local dir=$1
  shift
  local generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    # Debug by default: the suite is I/O-bound and -O0 builds in half the time on CI's 2 cores.
    # Unity build: a clean build takes 97 s instead of 249 s on 2 cores (each test file's helpers
    # have file-specific names so the merged files compile). MQTK_UNITY_BUILD=OFF for per-file
    # rebuilds while editing. Benchmarks build their own Release binary (bench/lib.sh).
    cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${MQTK_BUILD_TYPE:-Debug}" \
      -DCMAKE_UNITY_BUILD="${MQTK_UNITY_BUILD:-ON}" "$@" >/dev/null
  else
    cmake -S . -B "$dir" "$@" >/dev/null
  fi
  # MQTK_BUILD_TARGET: one target instead of all (scripts/tsan needs only the test binary).
  cmake --build "$dir" -j "$(nproc)" ${MQTK_BUILD_TARGET:+--target "$MQTK_BUILD_TARGET"}
}

# aedes, the second broker of the integration tests (tests/cli/aedes_test.cpp), pinned by
# tests/support/aedes/package-lock.json. Only when node and npm exist: without them those tests
# skip with a message. npm ci again only when the lock file changed since the last install.
install_aedes() {
  local dir=tests/support/aedes
  command -v node >/dev/null && command -v npm >/dev/null || {
    echo "==> node/npm not found: the aedes tests will be skipped" >&2
    return 0
  }
  if [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return 0
  fi
  echo "==> installing aedes for the second-broker tests (npm ci in $dir)" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
    echo "==> npm ci failed: the aedes tests will be skipped" >&2
}
