#!/usr/bin/env bash
# PostgreSQL statistics and distribution stores (issue 9): the same work on
# SQLite and on PostgreSQL, side by side. A ROWS-patient HER-SYS file
# (synth, default 200,000) is imported (untimed), then timed: the full
# statistics recomputation (`stats recompute`), a day of updates imported
# with the figures kept current after the batch (the update's own seconds
# from the import report), `stats verify`, and the packages of every
# Kanagawa municipality at one cutoff (`distribute --format all`).
# PostgreSQL runs on a throwaway cluster (tests/pg/cluster.sh, fsync off).
# Prints one JSON object. Usage: bench/pg_stores_bench.sh [BUILD]
set -euo pipefail
build=${1:-build}
rows=${ROWS:-200000}
updates=${UPDATES:-40000}
root="$(cd "$(dirname "$0")/.." && pwd)"
ichigen="$(realpath "$build/ichigen")"
work=$(mktemp -d /tmp/ichigen_pg_stores_bench.XXXXXX)
pgdir=$(mktemp -d /tmp/ichigen_pg_stores_cluster.XXXXXX)
trap '"$root/tests/pg/cluster.sh" stop "$pgdir"; rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

"$ichigen" synth --kind hersys --rows "$rows" --seed 42 --to 2022-07-27 --out "$work/base.csv" >/dev/null
"$ichigen" synth --kind updates --rows "$updates" --patients "$rows" --seed 42 --no-id-rate 0 \
  --to 2022-07-27 --out "$work/updates.csv" >/dev/null
"$root/tests/pg/cluster.sh" start "$pgdir" >/dev/null
psql "host=$pgdir port=5432 user=ichigen dbname=postgres" -qc "CREATE DATABASE ichigen_bench"
codes=$(python3 - "$root/data/ref/code4fukui_localgovjp-utf8.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
print(" ".join(r["lgcode"] for r in rows if r["pid"] == "14" and " " not in r["city"]))
PY
)

run() {  # run NAME DB
  local name=$1 db=$2
  "$ichigen" --db "$db" import --json "$work/base.csv" >/dev/null
  /usr/bin/time -f '%e %M %U %S' -o "$work/$name.recompute.time" \
    "$ichigen" --db "$db" stats recompute --json > "$work/$name.recompute.json"
  /usr/bin/time -f '%e %M %U %S' -o "$work/$name.import.time" \
    "$ichigen" --db "$db" import --json "$work/updates.csv" > "$work/$name.import.json"
  /usr/bin/time -f '%e %M %U %S' -o "$work/$name.verify.time" \
    "$ichigen" --db "$db" stats verify --json > "$work/$name.verify.json" || true
  for code in $codes; do
    roll=""
    case "$code" in 141003|141305|141500) roll="--roll-up" ;; esac
    "$ichigen" --db "$db" agreements set "$code" --from 2022-04-01 --recorded-at 2022-04-01T00:00+09:00 \
      --fields name,name_kana,address,phone,care_period --consent-required false $roll >/dev/null
  done
  /usr/bin/time -f '%e %M %U %S' -o "$work/$name.distribute.time" \
    "$ichigen" --db "$db" distribute --cutoff 2022-07-28T09:00+09:00 --format all --known-at now \
    --json > "$work/$name.distribute.json"
}
run sqlite "$work/store.db"
run postgres "postgresql://ichigen@/ichigen_bench?host=$pgdir&port=5432"

python3 - "$work" "$rows" "$updates" <<'PY'
import json, sys
work, rows, updates = sys.argv[1:]
def t(name):
    s, kb, user, system = open(f"{work}/{name}.time").read().split()[:4]
    return {"wall_s": float(s), "cpu_s": round(float(user) + float(system), 2),
            "peak_mb": round(int(kb) / 1024)}
out = {"benchmark": "pg_stores", "patients": int(rows), "updates": int(updates)}
for name in ("sqlite", "postgres"):
    imported = [json.loads(l) for l in open(f"{work}/{name}.import.json") if l.strip()]
    verify = json.load(open(f"{work}/{name}.verify.json"))
    dist = json.load(open(f"{work}/{name}.distribute.json"))
    out[name] = {
        "recompute": t(f"{name}.recompute"),
        "updates_import": t(f"{name}.import"),
        "after_batch_update_s": [b.get("stats", {}).get("seconds") for b in imported],
        "verify": t(f"{name}.verify"),
        "verify_differences": verify.get("differences"),
        "distribute": t(f"{name}.distribute"),
        "packages": len(dist["packages"]),
        "package_rows": sum(p.get("rows", 0) for p in dist["packages"]),
    }
print(json.dumps(out, ensure_ascii=False))
PY
