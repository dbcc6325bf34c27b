#!/usr/bin/env bash
# Runs every benchmark and appends one JSON line per benchmark to
# bench/results/latest.jsonl (not committed). The figures that matter are
# copied by hand into docs/benchmarks.md with the date and machine load.
# Usage: bench/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
mkdir -p bench/results
out=bench/results/latest.jsonl
: > "$out"
cmake --build "$build" --target ichigen bench_normalize bench_address bench_csv bench_census \
  bench_identity_eval bench_distribution >/dev/null
run() { echo "== $*" >&2; "$@" | tail -n 1 | tee -a "$out"; }
run "$build/src/text/bench_normalize"
run "$build/src/geo/bench_address"
run "$build/src/io/bench_csv"
run "$build/src/domain/bench_census"
run "$build/src/identity/bench_identity_eval"
run "$build/src/distribution/bench_distribution"
run bash bench/import_bench.sh "$build"
run bash bench/peak_day_bench.sh "$build"
NO_ID_RATE=0.4 run bash bench/peak_day_bench.sh "$build"
for extra in packages_bench.sh stats_bench.sh api_bench.sh; do
  if [ -f "bench/$extra" ]; then run bash "bench/$extra" "$build"; fi
done
echo "wrote $out" >&2
