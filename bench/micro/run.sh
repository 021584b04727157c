#!/usr/bin/env bash
# Codec micro-benchmarks alone (Google Benchmark; bench/run.sh runs them as part of the
# whole harness). `make build` builds them into build/bench/micro/switchyard_micro; this
# runs them and prints the markdown table (bench/micro/report.mjs).
#
#   bench/micro/run.sh                                 # everything, 0.2 s per benchmark
#   bench/micro/run.sh --benchmark_filter=Translate    # any Google Benchmark flag passes through
#   MIN_TIME=1 bench/micro/run.sh
#
# Names: BM_<What>/<dialect | source->target>/<size>; BM_Translate/*/10KB rows are checked
# against issue 5's target of 20 µs per 10 KB translation on one core. Pin to one core for
# steadier figures: TASKSET="taskset -c 1" bench/micro/run.sh
#
# Fixture frames for the streams are read from tests/fixtures (compiled-in path; override
# with SWITCHYARD_FIXTURES_DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."

make --no-print-directory build >&2
json="build/micro-$(date -u +%Y-%m-%dT%H%M).json"
${TASKSET:-} build/bench/micro/switchyard_micro --benchmark_min_time="${MIN_TIME:-0.2}" --benchmark_format=console \
  --benchmark_out="$json" --benchmark_out_format=json "$@" >&2
node bench/micro/report.mjs "$json"
