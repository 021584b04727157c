#!/usr/bin/env bash
# Installs everything Switchyard needs to build and test on Debian 12.
# Safe to run repeatedly: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  g++ cmake ninja-build pkg-config make
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev ca-certificates libsqlite3-dev libhiredis-dev libpq-dev libyaml-cpp-dev
  libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nodejs npm openssl curl
  # Tests read the embedded database the way an operator would.
  sqlite3
  # The benchmark harness (bench/run.sh, smoke-run by `make test`): upstream, baseline and load.
  nginx-light wrk
  # /metrics is checked with promtool and scraped by a real Prometheus server the tests start.
  prometheus
  # The ledger's PostgreSQL store is tested against a real server the tests start.
  postgresql
  # Replicas share limits through Redis: tested against a real server the tests start.
  redis-server
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  # nodejs/npm may come from elsewhere (e.g. a preinstalled toolchain); accept any working binary.
  case "$pkg" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # The benchmark starts its own nginx instances; the system service the package starts
  # would only hold port 80. Leave alone an nginx that was installed before.
  if [[ " ${missing[*]} " == *" nginx-light "* ]] && command -v systemctl >/dev/null 2>&1 &&
     systemctl is-active --quiet nginx 2>/dev/null; then
    $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
  # Likewise the tests run their own Prometheus and PostgreSQL servers, never the packaged services.
  for service in prometheus postgresql redis-server; do
    if [[ " ${missing[*]} " == *" $service "* ]] && command -v systemctl >/dev/null 2>&1 &&
       systemctl is-active --quiet "$service" 2>/dev/null; then
      $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
    fi
  done
fi

# Test clients (the official SDKs) come from npm, pinned by tests/package-lock.json.
if [ -f tests/package-lock.json ]; then
  if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
    echo "install-deps: installing npm test dependencies"
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# The Portkey gateway, the benchmark's peer, pinned by bench/peers/package-lock.json.
if [ ! -d bench/peers/node_modules ] || [ bench/peers/package-lock.json -nt bench/peers/node_modules/.package-lock.json ]; then
  echo "install-deps: installing the benchmark's peer gateway"
  (cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)
fi
