#!/usr/bin/env bash
# Proxy overhead benchmark: the same fast upstream (nginx returning a realistic chat
# completion) reached directly, through nginx as a keep-alive reverse proxy, and through
# Switchyard (OpenAI passthrough, master-key auth on). Bounded wrk runs on 127.0.0.1 only;
# everything started here is stopped on exit. Writes bench/results/proxy-DATE.md.
#
#   bench/proxy/run.sh [--duration 10] [--runs 3]      (SWITCHYARD_THREADS=N sets server.threads)
#
# First slice of the performance harness (issue 5): translated paths, streaming, Portkey,
# CPU per request and memory figures are still to come.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=10
RUNS=3
while (($#)); do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
BIN=${SWITCHYARD_BIN:-build/switchyard}
[ -x "$BIN" ] || { echo "build the gateway first (make build)" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

UPSTREAM_PORT=18401 PROXY_PORT=18402 GATEWAY_PORT=18403
BODY='{"id":"chatcmpl-bench","object":"chat.completion","created":1741569952,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":9,"total_tokens":28,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_06737a9306"}'

cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream mock { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    location / { default_type application/json; return 200 '$BODY'; }
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / { proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK"

cat > "$WORK/switchyard.yaml" <<YAML
server: {listen: 127.0.0.1:$GATEWAY_PORT, threads: ${SWITCHYARD_THREADS:-0}}
auth: {master_key: sk-bench}
log: {level: warn}
providers:
  up: {type: openai, base_url: http://127.0.0.1:$UPSTREAM_PORT/v1, api_key: sk-upstream}
models:
  fast:
    deployments:
      - {provider: up, model: gpt-4o-mini}
YAML
"$BIN" --config "$WORK/switchyard.yaml" 2>"$WORK/gateway.log" &
PIDS+=($!)
for _ in $(seq 50); do curl -s "127.0.0.1:$GATEWAY_PORT/healthz" >/dev/null && break; sleep 0.1; done

cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench"
wrk.body = '{"model":"fast","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello in one short sentence."}],"temperature":0.2}'
LUA

# wrk --latency prints "50%  123.00us"; turn the 50% and 99% lines and Requests/sec into numbers.
measure() {  # url connections threads -> "rps p50_us p99_us"
  local out
  out=$(wrk -t"$3" -c"$2" -d"${DURATION}s" --latency -s "$WORK/post.lua" "$1")
  awk '
    function us(v) { if (v ~ /ms$/) return v * 1000; if (v ~ /us$/) return v + 0; if (v ~ /s$/) return v * 1000000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = us($2) }
    $1 == "99%" { p99 = us($2) }
    END { printf "%.0f %.1f %.1f\n", rps, p50, p99 }' <<<"$out"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A RESULT
for target in direct nginx switchyard; do
  case $target in
    direct) url="http://127.0.0.1:$UPSTREAM_PORT/v1/chat/completions" ;;
    nginx) url="http://127.0.0.1:$PROXY_PORT/v1/chat/completions" ;;
    switchyard) url="http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" ;;
  esac
  for load in "1 1" "64 2"; do
    set -- $load
    samples=()
    for _ in $(seq "$RUNS"); do samples+=("$(measure "$url" "$1" "$2")"); done
    rps=$(printf '%s\n' "${samples[@]}" | awk '{print $1}' | median)
    p50=$(printf '%s\n' "${samples[@]}" | awk '{print $2}' | median)
    p99=$(printf '%s\n' "${samples[@]}" | awk '{print $3}' | median)
    RESULT[$target,$1]="$rps $p50 $p99"
  done
done

read -r _ D50 D99 <<<"${RESULT[direct,1]}"
row() {  # target
  read -r r1 p50 p99 <<<"${RESULT[$1,1]}"
  read -r r64 _ p99_64 <<<"${RESULT[$1,64]}"
  read -r n64 _ _ <<<"${RESULT[nginx,64]}"
  awk -v t="$1" -v p50="$p50" -v p99="$p99" -v d50="$D50" -v d99="$D99" -v r64="$r64" -v n64="$n64" -v q99="$p99_64" \
    'BEGIN { printf "| %s | %.1f | %.1f | %.1f | %.1f | %.0f | %.2f | %.0f |\n", t, p50, p99, p50 - d50, p99 - d99, r64, r64 / n64, q99 }'
}

DATE=$(date -u +%Y-%m-%d)
REPORT="bench/results/proxy-$DATE.md"
mkdir -p bench/results
{
  echo "# Proxy overhead, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'). wrk ${DURATION}s runs, median of $RUNS;"
  echo "upstream: nginx \`return 200\` of a 700-byte chat completion. Latencies in µs; added = target minus direct."
  echo
  echo "| target | p50 @1 | p99 @1 | added p50 | added p99 | req/s @64 | ×nginx @64 | p99 @64 |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  row direct
  row nginx
  row switchyard
} | tee "$REPORT"
