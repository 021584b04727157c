#!/usr/bin/env bash
# Issue 5's performance harness in one command: installs what it needs, builds, measures
# every target against nginx, the upstream itself and Portkey on 127.0.0.1, holds
# thousands of slow streams, runs the codec micro-benchmarks, and writes a dated report
# with the targets checked (bench/results/DATE.md; the raw figures stay in build/bench-*/).
# Everything it starts, it stops.
#
#   bench/run.sh              the full run (about 15 minutes on 2 cores)
#   bench/run.sh --smoke      a second or two per target, to show nothing has rotted
#                             (part of `make test`); the report goes to build/bench-smoke.md
#
# Settings for the full run: DURATION (5 s per wrk run), RUNS (3), STREAMS (10000).
# A smoke run fails when any request or stream failed; a full run reports misses in its
# table instead (figures on a shared machine are not pass/fail).
set -euo pipefail
cd "$(dirname "$0")/.."

SMOKE=0
[ "${1:-}" = "--smoke" ] && SMOKE=1

make --no-print-directory build >&2
BUILD=build
# The raw figures stay with the build, so a report can be regenerated from them.
WORK="$BUILD/bench-$( ((SMOKE)) && echo smoke || date -u +%Y-%m-%dT%H%M)"
mkdir -p "$WORK"

if ((SMOKE)); then
  node bench/proxy/run.mjs --duration 1 --runs 1 --after-wait 2 --out "$WORK/proxy.json"
  node bench/streams/run.mjs --streams 200 --tokens 5 --out "$WORK/streams.json" >/dev/null
  node bench/ledger/run.mjs --duration 1 --runs 1 --out "$WORK/ledger.json" > "$WORK/ledger.md"
  node bench/keys/run.mjs --duration 1 --runs 1 --out "$WORK/keys.json" > "$WORK/keys.md"
  "$BUILD/bench/micro/switchyard_micro" --benchmark_min_time=0.01 --benchmark_format=console \
    --benchmark_out="$WORK/micro.json" --benchmark_out_format=json >/dev/null
  REPORT="$BUILD/bench-smoke.md"
else
  node bench/proxy/run.mjs --duration "${DURATION:-5}" --runs "${RUNS:-3}" --out "$WORK/proxy.json"
  # A failed stream is a finding for the report, not a reason to stop the run.
  node bench/streams/run.mjs --streams "${STREAMS:-10000}" --settle 40 --out "$WORK/streams.json" >/dev/null || true
  node bench/ledger/run.mjs --duration "${DURATION:-5}" --runs "${RUNS:-3}" --out "$WORK/ledger.json" > "$WORK/ledger.md"
  node bench/keys/run.mjs --duration "${DURATION:-5}" --runs "${RUNS:-3}" --out "$WORK/keys.json" > "$WORK/keys.md"
  "$BUILD/bench/micro/switchyard_micro" --benchmark_min_time=0.5 --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true --benchmark_format=console \
    --benchmark_out="$WORK/micro.json" --benchmark_out_format=json >&2
  mkdir -p bench/results
  REPORT="bench/results/$(date -u +%Y-%m-%d).md"
fi

# A micro-benchmark that reports an error (a broken codec) fails the run.
if node -e 'const d = require(process.argv[1]); process.exit(d.benchmarks.some((b) => b.error_occurred) ? 1 : 0)' "$PWD/$WORK/micro.json"; then :; else
  echo "bench: a micro-benchmark reported an error (see $WORK/micro.json)" >&2
  exit 1
fi

node bench/report.mjs --proxy "$WORK/proxy.json" --streams "$WORK/streams.json" --micro "$WORK/micro.json" > "$REPORT"
{
  printf '\n## The usage ledger and the metrics on the hot path (bench/ledger)\n\n'
  printf 'OpenAI passthrough at 64 connections; the same build with both off, the metrics alone, both on\n'
  printf '(SQLite ledger), both on (PostgreSQL ledger, its server on the same cores).\n\n'
  cat "$WORK/ledger.md"
  printf '\n## Virtual keys with limits on the hot path (bench/keys)\n\n'
  printf 'OpenAI passthrough at 64 connections, ledger and metrics on: the master key, a key with every\n'
  printf 'limit counted in the process, the same key counted in Redis (its server on the same cores).\n\n'
  cat "$WORK/keys.md"
} >> "$REPORT"
echo "bench: report written to $REPORT" >&2
((SMOKE)) || cat "$REPORT"
