#!/usr/bin/env bash
# PostgreSQL import benchmark (issue 9): the same ROWS-patient HER-SYS file
# (CP932) imported by `ichigen import` into PostgresStore on a throwaway
# cluster (tests/pg/cluster.sh), and in the same run PostgreSQL's own COPY of
# the same file (psql \copy, ENCODING 'SJIS') into a bare all-text table.
# Then, when PEAK=1 (default), the wave-peak day on that store: NEW new
# notifications and UPDATES status updates imported together, and the census
# over the result. Prints one JSON object.
# Usage: bench/pg_import_bench.sh [BUILD_DIR]   (ROWS=1000000, PEAK=1 default)
# The base CSV is taken (read-only) from /tmp/ichigen_bench_cache when present.
set -euo pipefail
build=${1:-build}
rows=${ROWS:-1000000}
peak=${PEAK:-1}
new=${NEW:-40000}
updates=${UPDATES:-120000}
root="$(cd "$(dirname "$0")/.." && pwd)"
ichigen="$(realpath "$build/ichigen")"
work=$(mktemp -d /tmp/ichigen_pg_bench.XXXXXX)
pgdir=$(mktemp -d /tmp/ichigen_pg_bench_cluster.XXXXXX)  # its own directory: the server runs as postgres
trap '"$root/tests/pg/cluster.sh" stop "$pgdir"; rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

cached=/tmp/ichigen_bench_cache/base_${rows}.csv
if [ -f "$cached" ]; then
  csv=$cached  # only read
else
  csv="$work/hersys.csv"
  "$ichigen" synth --kind hersys --rows "$rows" --seed 42 --to 2022-07-27 --out "$csv" >/dev/null
fi
bytes=$(stat -c %s "$csv")

"$root/tests/pg/cluster.sh" start "$pgdir" >/dev/null
# postgresql:// with the socket directory as host (libpq URL syntax).
url="postgresql://ichigen@/postgres?host=$pgdir&port=5432"
psql_conn="host=$pgdir port=5432 user=ichigen"
psql "$psql_conn dbname=postgres" -qc "CREATE DATABASE ichigen_bench" -c "CREATE DATABASE bare_bench"
db_url="postgresql://ichigen@/ichigen_bench?host=$pgdir&port=5432"

/usr/bin/time -f '%e %M' -o "$work/ichigen.time" \
  "$ichigen" --db "$db_url" import --json "$csv" > "$work/import.json"

# The bare table: one text column per header field.
header=$(head -n 1 "$csv" | iconv -f CP932 -t UTF-8 | tr -d '\r')
columns=$(python3 -c 'import sys; print(", ".join("c%d text" % i for i in range(len(sys.argv[1].split(",")))))' "$header")
psql "$psql_conn dbname=bare_bench" -qc "CREATE TABLE patients ($columns)"
/usr/bin/time -f '%e %M' -o "$work/copy.time" \
  psql "$psql_conn dbname=bare_bench" -qc "\\copy patients FROM '$csv' WITH (FORMAT csv, HEADER true, ENCODING 'SJIS')"
copied=$(psql "$psql_conn dbname=bare_bench" -tAc "SELECT COUNT(*) FROM patients")

peak_json='null'
if [ "$peak" = 1 ]; then
  "$ichigen" synth --kind hersys --rows "$new" --seed 4242 --id-start 3000000 \
    --from 2022-07-28 --to 2022-07-28 --out "$work/new.csv" >/dev/null
  "$ichigen" synth --kind updates --rows "$updates" --patients "$rows" --seed 42 --to 2022-07-27 \
    --out "$work/updates.csv" >/dev/null
  start=$(date +%s.%N)
  "$ichigen" --db "$db_url" import --json "$work/new.csv" "$work/updates.csv" > "$work/peak.json"
  end=$(date +%s.%N)
  /usr/bin/time -f '%e %M' -o "$work/census.time" \
    "$ichigen" --db "$db_url" census --as-of 2022-07-28 --json > "$work/census.json"
  peak_json=$(python3 - "$start" "$end" "$work/peak.json" "$work/census.time" "$work/census.json" <<'PY'
import json, sys
start, end, imports, census_time, census = sys.argv[1:]
batches = [json.loads(line) for line in open(imports)]
census_s, census_kb = open(census_time).read().split()
c = json.load(open(census))
print(json.dumps({
  "import_s": round(float(end) - float(start), 2),
  "import_batches": [{k: b[k] for k in ("profile", "rows", "accepted", "merged", "review", "rejected", "seconds")} for b in batches],
  "census_process_s": float(census_s), "census_compute_s": round(c["seconds"], 3),
  "census_peak_mb": round(int(census_kb) / 1024), "census_counted": c["counted"],
}, ensure_ascii=False))
PY
)
fi

read -r ichigen_s ichigen_kb < "$work/ichigen.time"
read -r copy_s copy_kb < "$work/copy.time"
python3 - "$rows" "$bytes" "$ichigen_s" "$ichigen_kb" "$copy_s" "$copied" "$work/import.json" "$peak_json" <<'PY'
import json, sys
rows, size, i_s, i_kb, c_s, copied, report, peak = sys.argv[1:]
imported = json.loads(open(report).readline())
print(json.dumps({
  "benchmark": "pg_import_hersys", "rows": int(rows), "file_mb": round(int(size) / 1e6, 1),
  "ichigen_import_s": float(i_s), "ichigen_peak_mb": round(int(i_kb) / 1024),
  "ichigen_rows_per_s": round(int(rows) / float(i_s)),
  "pg_copy_s": float(c_s), "pg_copy_rows": int(copied),
  "ratio": round(float(i_s) / float(c_s), 2),
  "accepted": imported.get("accepted"), "rejected": imported.get("rejected"),
  "peak_day": json.loads(peak),
}, ensure_ascii=False))
PY
