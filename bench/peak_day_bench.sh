#!/usr/bin/env bash
# Wave-peak day benchmark (issue 4): a store of BASE patients (default
# 1,000,000), then one day's 40,000 new notifications and 120,000 status
# updates (with HER-SYS IDs) imported together, and the census as of a date
# over the result. Prints one JSON object. Usage: bench/peak_day_bench.sh [BUILD]
# census_peak_mb is the peak RSS, which counts the store's memory-mapped pages
# (shared page cache the kernel can drop), not only the heap.
set -euo pipefail
build=${1:-build}
base=${BASE:-1000000}
new=${NEW:-40000}
updates=${UPDATES:-120000}
no_id_rate=${NO_ID_RATE:-0}
ichigen="$(realpath "$build/ichigen")"
cache=/tmp/ichigen_bench_cache
mkdir -p "$cache"
work=$(mktemp -d /tmp/ichigen_peak_bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The base store is cached between runs (it takes a while to build).
base_db="$cache/base_${base}.db"
if [ ! -f "$base_db" ]; then
  "$ichigen" synth --kind hersys --rows "$base" --seed 42 --to 2022-07-27 --out "$cache/base_${base}.csv" >/dev/null
  rm -f "$base_db"*
  "$ichigen" --db "$base_db" import "$cache/base_${base}.csv" >/dev/null
  sqlite3 "$base_db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
fi
cp "$base_db" "$work/store.db"
# A cached store from an older build is migrated (e.g. new indexes) before the
# clock starts: a real store is migrated once, not on the peak day.
"$ichigen" --db "$work/store.db" batches >/dev/null
sqlite3 "$work/store.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null

"$ichigen" synth --kind hersys --rows "$new" --seed 4242 --id-start 3000000 \
  --from 2022-07-28 --to 2022-07-28 --out "$work/new.csv" >/dev/null
"$ichigen" synth --kind updates --rows "$updates" --patients "$base" --seed 42 --to 2022-07-27 --no-id-rate "$no_id_rate" \
  --out "$work/updates.csv" >/dev/null

start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$work/import.time" \
  "$ichigen" --db "$work/store.db" import --json "$work/new.csv" "$work/updates.csv" > "$work/import.json"
end=$(date +%s.%N)
/usr/bin/time -f '%e %M' -o "$work/census.time" \
  "$ichigen" --db "$work/store.db" census --as-of 2022-07-28 --json > "$work/census.json"
read -r census_s census_kb < "$work/census.time"

read -r import_kb < "$work/import.time"
python3 - "$start" "$end" "$census_s" "$census_kb" "$work/import.json" "$work/census.json" "$base" "$no_id_rate" "$import_kb" <<'PY'
import json, sys
start, end, census_s, census_kb, imports, census, base, _, import_kb = sys.argv[1:]
batches = [json.loads(line) for line in open(imports)]
c = json.load(open(census))
print(json.dumps({
  "benchmark": "peak_day", "base_patients": int(base),
  "new_rows": batches[0]["rows"], "update_rows": batches[1]["rows"], "update_no_id_rate": float(sys.argv[8]),
  "import_s": round(float(end) - float(start), 2), "import_peak_mb": round(int(import_kb) / 1024),
  "import_batches": [{k: b[k] for k in ("profile", "rows", "accepted", "merged", "review", "rejected", "seconds")} for b in batches],
  "census_process_s": float(census_s), "census_compute_s": round(c["seconds"], 3),
  "census_peak_mb": round(int(census_kb) / 1024), "census_counted": c["counted"],
  "census_by_status": c["by_status"],
}, ensure_ascii=False))
PY
