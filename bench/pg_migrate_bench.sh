#!/usr/bin/env bash
# `ichigen migrate` benchmark (issue 9): a copy of the cached ROWS-patient
# SQLite store (/tmp/ichigen_bench_cache/base_ROWS.db, only read; copied with
# reflink where the file system allows) brought to the current schema, then
# moved into an empty database on a throwaway PostgreSQL cluster
# (tests/pg/cluster.sh), then recompared with --verify-only. Prints the two
# reports' totals with wall/user/sys seconds, peak memory and the load average
# before and after each step, as one JSON object.
# Usage: bench/pg_migrate_bench.sh [BUILD_DIR]   (ROWS=1000000 default)
set -euo pipefail
build=${1:-build}
rows=${ROWS:-1000000}
root="$(cd "$(dirname "$0")/.." && pwd)"
ichigen="$(realpath "$build/ichigen")"
cached=/tmp/ichigen_bench_cache/base_${rows}.db
[ -f "$cached" ] || { echo "no cached store $cached (run bench/import_bench.sh first)" >&2; exit 1; }
work=$(mktemp -d /tmp/ichigen_migrate_bench.XXXXXX)
pgdir=$(mktemp -d /tmp/ichigen_migrate_bench_cluster.XXXXXX)  # the server runs as postgres
trap '"$root/tests/pg/cluster.sh" stop "$pgdir"; rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

cp --reflink=auto "$cached" "$work/store.db"
"$ichigen" --db "$work/store.db" batches >/dev/null  # applies the migrations the cache predates

"$root/tests/pg/cluster.sh" start "$pgdir" >/dev/null
psql "host=$pgdir port=5432 user=ichigen dbname=postgres" -qc "CREATE DATABASE ichigen_migrate"
url="postgresql://ichigen@/ichigen_migrate?host=$pgdir&port=5432"

run() {  # name, then the command
  local name=$1
  shift
  cut -d' ' -f1-3 /proc/loadavg > "$work/$name.load_before"
  /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@" > "$work/$name.json" 2> "$work/$name.err"
  cut -d' ' -f1-3 /proc/loadavg > "$work/$name.load_after"
}
run migrate "$ichigen" migrate --from "$work/store.db" --to "$url" --json
run verify "$ichigen" migrate --from "$work/store.db" --to "$url" --verify-only --json
pg_bytes=$(psql "host=$pgdir port=5432 user=ichigen dbname=ichigen_migrate" -tAc \
  "SELECT pg_database_size('ichigen_migrate')")

python3 - "$work" "$(stat -c %s "$work/store.db")" "$pg_bytes" <<'PY'
import json, sys
work, sqlite_bytes, pg_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = {"sqlite_bytes": sqlite_bytes, "postgres_bytes": pg_bytes}
for name in ("migrate", "verify"):
    report = json.load(open(f"{work}/{name}.json"))
    wall, user, sys_s, kb = open(f"{work}/{name}.time").read().split()
    out[name] = {
        "ok": report["ok"],
        "tables": {t["table"]: t["source_rows"] for t in report["tables"]},
        "rows": sum(t["source_rows"] for t in report["tables"]),
        "wall_s": float(wall), "user_s": float(user), "sys_s": float(sys_s),
        "peak_mb": round(int(kb) / 1024),
        "load_before": open(f"{work}/{name}.load_before").read().strip(),
        "load_after": open(f"{work}/{name}.load_after").read().strip(),
    }
print(json.dumps(out, indent=1))
PY
