#!/usr/bin/env bash
# Codec micro-benchmarks (Google Benchmark): builds bench/micro/switchyard_micro in its own
# build directory, runs it, and writes the JSON (BUILD_DIR/micro-DATE.json) and a markdown
# table (bench/results/micro-DATE.md).
#
#   bench/micro/run.sh                                 # everything, 0.2 s per benchmark
#   bench/micro/run.sh --benchmark_filter=Translate    # any Google Benchmark flag passes through
#   BUILD_DIR=build-bench MIN_TIME=1 bench/micro/run.sh
#
# By hand:
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSWITCHYARD_BUILD_BENCH=ON -DSWITCHYARD_BUILD_TESTS=OFF
#   cmake --build build-bench --target switchyard_micro
#   build-bench/bench/micro/switchyard_micro --benchmark_min_time=0.2 --benchmark_format=console
#   build-bench/bench/micro/switchyard_micro --benchmark_min_time=0.2 \
#       --benchmark_out=micro.json --benchmark_out_format=json     # console output too, JSON to the file
#   node bench/micro/report.mjs micro.json > micro.md               # markdown table, ✅/❌ on BM_Translate 10KB
#
# Names: BM_<What>/<dialect | source->target>/<size>; BM_Translate/*/10KB rows are checked
# against issue 5's target of 20 µs per 10 KB translation on one core. Pin to one core for
# steadier figures: TASKSET="taskset -c 1" bench/micro/run.sh
#
# Fixture frames for the streams are read from tests/fixtures (compiled-in path; override
# with SWITCHYARD_FIXTURES_DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD_DIR=${BUILD_DIR:-build-bench}
MIN_TIME=${MIN_TIME:-0.2}
JOBS=${JOBS:-1}
OUT_DIR=${OUT_DIR:-bench/results}
STAMP=$(date +%Y-%m-%d)

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DSWITCHYARD_BUILD_BENCH=ON -DSWITCHYARD_BUILD_TESTS=OFF >/dev/null
nice -n 19 cmake --build "$BUILD_DIR" -j"$JOBS" --target switchyard_micro

mkdir -p "$OUT_DIR"
json="$BUILD_DIR/micro-$STAMP.json"  # raw figures stay with the build; the table goes to bench/results
${TASKSET:-} "$BUILD_DIR/bench/micro/switchyard_micro" --benchmark_min_time="$MIN_TIME" --benchmark_format=console \
  --benchmark_out="$json" --benchmark_out_format=json "$@"
node bench/micro/report.mjs "$json" > "$OUT_DIR/micro-$STAMP.md"
echo "wrote $json and $OUT_DIR/micro-$STAMP.md"
