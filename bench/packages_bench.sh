#!/usr/bin/env bash
# Daily municipal packages benchmark (issue 6): a copy of the peak-day base
# store (1,000,000 patients, ~65,000 in 自宅療養中 as of 2022-07-28), an
# agreement for every municipality of Kanagawa (designated cities roll their
# wards up; consent not required, so every resident is shared), then
# `ichigen distribute` at 2022-07-28 09:00 JST in all three formats. The
# cached store was imported after the fact (its events were received "now"),
# so the run uses --known-at now: every event known, as of 2022-07-28.
# Prints one JSON object. Usage: bench/packages_bench.sh [BUILD]
set -euo pipefail
build=${1:-build}
base=${BASE:-1000000}
ichigen="$(realpath "$build/ichigen")"
here="$(cd "$(dirname "$0")/.." && pwd)"
cache=/tmp/ichigen_bench_cache
base_db="$cache/base_${base}.db"
if [ ! -f "$base_db" ]; then
  # peak_day_bench.sh builds and caches the base store.
  BASE=$base bash "$here/bench/peak_day_bench.sh" "$build" >/dev/null
fi
work=$(mktemp -d /tmp/ichigen_packages_bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$base_db" "$work/store.db"  # the cache is never modified
# Open the store once untimed: an older cached store gets the current core
# schema migrations on first open (seconds on 1,000,000 patients), which is
# not the packages' cost.
"$ichigen" --db "$work/store.db" batches >/dev/null

# Every Kanagawa municipality that is not a ward (33: 19 cities, 13 towns, 1 village).
codes=$(python3 - "$here/data/ref/code4fukui_localgovjp-utf8.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
print(" ".join(r["lgcode"] for r in rows if r["pid"] == "14" and " " not in r["city"]))
PY
)
n=0
for code in $codes; do
  roll=""
  case "$code" in 141003|141305|141500) roll="--roll-up" ;; esac  # 横浜市, 川崎市, 相模原市
  "$ichigen" --db "$work/store.db" agreements set "$code" --from 2022-04-01 \
    --recorded-at 2022-04-01T00:00+09:00 --fields name,name_kana,address,phone,care_period --consent-required false $roll >/dev/null
  n=$((n + 1))
done

/usr/bin/time -f '%e %M' -o "$work/distribute.time" \
  "$ichigen" --db "$work/store.db" distribute --cutoff 2022-07-28T09:00+09:00 --format all \
  --known-at now --out "$work/out" --json > "$work/distribute.json"
read -r process_s peak_kb < "$work/distribute.time"
# Rebuilding the same cutoff returns the stored packages (same checksums).
"$ichigen" --db "$work/store.db" distribute --cutoff 2022-07-28T09:00+09:00 --known-at now \
  --json > "$work/again.json"

python3 - "$process_s" "$peak_kb" "$work/distribute.json" "$work/again.json" "$work/out" "$n" <<'PY'
import json, os, sys
process_s, peak_kb, report, again, out, n = sys.argv[1:]
r = json.load(open(report))
a = json.load(open(again))
files = os.listdir(out)
print(json.dumps({
  "benchmark": "packages", "agreements": int(n), "packages": len(r["packages"]),
  "patients_scanned": r["patients_scanned"], "residents": r["residents"],
  "rows": sum(p["rows"] for p in r["packages"]),
  "process_s": float(process_s), "distribute_s": round(r["seconds"], 3),
  "derive_s": round(r["derive_seconds"], 3), "build_render_s": round(r["build_seconds"], 3),
  "store_s": round(r["store_seconds"], 3), "peak_mb": round(int(peak_kb) / 1024),
  "files_written": len(files),
  "bytes_written": sum(os.path.getsize(os.path.join(out, f)) for f in files),
  "rebuild_same_checksums": [p["checksum"] for p in r["packages"]] == [p["checksum"] for p in a["packages"]]
                            and all(p["existing"] for p in a["packages"]),
}, ensure_ascii=False))
PY
