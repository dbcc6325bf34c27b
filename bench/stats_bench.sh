#!/usr/bin/env bash
# Statistics benchmark (issue 8): full recomputation of the daily figures
# over a store of BASE patients (default 1,000,000; the peak-day benchmark's
# cached store, copied, never modified), then one wave-peak day's files
# (40,000 new notifications and 120,000 status updates, made as in
# bench/peak_day_bench.sh) imported — `ichigen import` updates the figures
# incrementally after each batch once they exist, and reports the update's
# time per batch (and any fold of the contribution log after it, timed
# apart) — then `stats verify`. Prints one JSON object.
# Usage: bench/stats_bench.sh [BUILD]
set -euo pipefail
build=${1:-build}
base=${BASE:-1000000}
new=${NEW:-40000}
updates=${UPDATES:-120000}
ichigen="$(realpath "$build/ichigen")"
cache=/tmp/ichigen_bench_cache
base_db="$cache/base_${base}.db"
if [ ! -f "$base_db" ]; then
  echo "no cached store at $base_db: run bench/peak_day_bench.sh first" >&2
  exit 1
fi
work=$(mktemp -d /tmp/ichigen_stats_bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$base_db" "$work/store.db"
# Migrate a store from an older build before the clock starts.
"$ichigen" --db "$work/store.db" batches >/dev/null

"$ichigen" synth --kind hersys --rows "$new" --seed 4242 --id-start 3000000 \
  --from 2022-07-28 --to 2022-07-28 --out "$work/new.csv" >/dev/null
"$ichigen" synth --kind updates --rows "$updates" --patients "$base" --seed 42 --no-id-rate 0 \
  --out "$work/updates.csv" >/dev/null

# The copy's 1.4 GB of dirty pages written out before the clock starts: the
# kernel throttles a writer while they are pending (a commit then stalls).
sync

/usr/bin/time -f '%e %M %U %S' -o "$work/full.time" \
  "$ichigen" --db "$work/store.db" stats recompute --json > "$work/full.json"
/usr/bin/time -f '%e %M' -o "$work/import.time" \
  "$ichigen" --db "$work/store.db" import --json "$work/new.csv" "$work/updates.csv" > "$work/import.json"
/usr/bin/time -f '%e %M' -o "$work/verify.time" \
  "$ichigen" --db "$work/store.db" stats verify --json > "$work/verify.json" || true
# The day's contribution log folded into its table (maintenance an update
# does by itself once the log holds 1,500,000 entries), timed on its own.
/usr/bin/time -f '%e %M' -o "$work/fold.time" \
  "$ichigen" --db "$work/store.db" stats update --fold --json > /dev/null

python3 - "$work" "$base" <<'PY'
import json, sys
work, base = sys.argv[1:]
def t(name):
    s, kb = open(f"{work}/{name}.time").read().split()[:2]
    return float(s), round(int(kb) / 1024)
def cpu(name):
    f = open(f"{work}/{name}.time").read().split()
    return round(float(f[2]) + float(f[3]), 2)
full = json.load(open(f"{work}/full.json"))
imports = [json.loads(l) for l in open(f"{work}/import.json") if l.strip()]
updates = [dict(i["stats"], batch_id=i["batch_id"], rows=i["rows"]) for i in imports if "stats" in i]
if len(updates) != len(imports):
    sys.exit(f"an import did not update the figures: {imports}")
verify = json.load(open(f"{work}/verify.json"))
full_s, full_mb = t("full"); imp_s, imp_mb = t("import"); ver_s, ver_mb = t("verify")
fold_s, fold_mb = t("fold")
print(json.dumps({
  "benchmark": "stats", "base_patients": int(base),
  "full_patients": full["patients"], "full_events": full["events"],
  "full_compute_s": round(full["compute_s"], 3), "full_write_s": round(full["write_s"], 3),
  "full_total_s": round(full["compute_s"] + full["write_s"], 3),
  "full_process_s": full_s, "full_peak_mb": full_mb, "full_cpu_s": round(full["cpu_s"], 3),
  "full_process_cpu_s": cpu("full"),
  "incremental": [{k: u.get(k) for k in ("batch_id", "rows", "patients", "changed",
                   "records_read", "first_day", "last_day", "seconds", "read_seconds",
                   "write_seconds", "cpu_seconds", "log_entries_folded", "fold_seconds")}
                  for u in updates],
  "incremental_total_s": round(sum(u["seconds"] for u in updates), 3),
  "import_process_s": imp_s, "import_import_s": round(sum(i["seconds"] for i in imports), 3),
  "verify_differences": verify["differences"], "verify_s": round(verify["seconds"], 3),
  "fold_day_log_process_s": fold_s,
}, ensure_ascii=False))
PY
