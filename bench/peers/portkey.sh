#!/usr/bin/env bash
# Portkey AI gateway (@portkey-ai/gateway 1.15.2, pinned with package-lock.json) as a peer
# for the performance harness (issue 5), listening on 127.0.0.1:PORT only (Portkey's own
# entry point binds every interface; portkey-server.mjs runs it with listen() pinned to
# 127.0.0.1, `--headless`: no web UI, no /log/stream).
#
#   bench/peers/portkey.sh PORT
#
# Installs bench/peers/node_modules with `npm ci` when missing, then execs node (the PID
# stays the caller's child; SIGTERM stops it). Ready when `curl 127.0.0.1:PORT/` answers
# "AI Gateway says hey!" (within about a second; the start-up banner is printed one second
# after the socket is already listening).
#
# Output: Portkey prints nothing per successful request, but a start-up banner with a
# terminal spinner, and console.error lines on failures. All of it goes to $PORTKEY_LOG
# (default /tmp/portkey-PORT.log), never to the terminal. REDIS_CONNECTION_STRING,
# HTTP(S)_PROXY and NODE_ENV are cleared, so nothing is dialled at start-up (no cache, no
# proxy); it makes no outbound connection until a request arrives.
#
# An OpenAI -> OpenAI proxy to a custom upstream needs, per request:
#   POST http://127.0.0.1:PORT/v1/chat/completions
#   Content-Type: application/json
#   x-portkey-provider: openai
#   x-portkey-custom-host: http://127.0.0.1:UPSTREAM_PORT/v1   (Portkey appends /chat/completions)
#   Authorization: Bearer sk-anything                          (sent upstream as is)
# 127.0.0.1, localhost and ::1 are in Portkey's default TRUSTED_CUSTOM_HOSTS, so a loopback
# custom host is accepted (other private or reserved addresses get 400 "Invalid custom host"
# unless listed in $TRUSTED_CUSTOM_HOSTS). bench/proxy/run.mjs sends these headers.
# For provider openai, bodies and streams come back byte for byte as the upstream sent
# them (checked against nginx and bench/streams/run.mjs --role mock), with x-portkey-*
# response headers added. Portkey itself is one node process (one core).
set -euo pipefail
PORT=${1:?usage: bench/peers/portkey.sh PORT}
DIR=$(cd "$(dirname "$0")" && pwd)

if [ ! -d "$DIR/node_modules/@portkey-ai/gateway" ]; then
  (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

LOG=${PORTKEY_LOG:-/tmp/portkey-$PORT.log}
exec env -u REDIS_CONNECTION_STRING -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u NODE_ENV \
  node "$DIR/portkey-server.mjs" "$PORT" >>"$LOG" 2>&1 </dev/null
