#!/usr/bin/env bash
# Import benchmark (issue 2): a ROWS-patient HER-SYS file (CP932, as Excel
# saves it) into an empty store, and in the same run sqlite3's own .import of
# the same file into a bare table. Prints one JSON object; peak memory from
# GNU time. Usage: bench/import_bench.sh [BUILD_DIR]   (ROWS=1000000 default)
set -euo pipefail
build=${1:-build}
rows=${ROWS:-1000000}
ichigen="$build/ichigen"
work=$(mktemp -d /tmp/ichigen_import_bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

synth_start=$(date +%s.%N)
"$ichigen" synth --kind hersys --rows "$rows" --seed 42 --out "$work/hersys.csv" >/dev/null
synth_end=$(date +%s.%N)
bytes=$(stat -c %s "$work/hersys.csv")

/usr/bin/time -f '%e %M' -o "$work/ichigen.time" \
  "$ichigen" --db "$work/ichigen.db" import --json "$work/hersys.csv" > "$work/import.json"
/usr/bin/time -f '%e %M' -o "$work/sqlite.time" \
  sqlite3 "$work/bare.db" -cmd '.mode csv' ".import $work/hersys.csv patients" >/dev/null

read -r ichigen_s ichigen_kb < "$work/ichigen.time"
read -r sqlite_s sqlite_kb < "$work/sqlite.time"
python3 - "$rows" "$bytes" "$synth_start" "$synth_end" "$ichigen_s" "$ichigen_kb" "$sqlite_s" "$sqlite_kb" "$work/import.json" <<'PY'
import json, sys
rows, size, s0, s1, i_s, i_kb, q_s, q_kb, report = sys.argv[1:]
imported = json.loads(open(report).readline())
print(json.dumps({
  "benchmark": "import_hersys", "rows": int(rows), "file_mb": round(int(size) / 1e6, 1),
  "synth_s": round(float(s1) - float(s0), 2),
  "ichigen_import_s": float(i_s), "ichigen_peak_mb": round(int(i_kb) / 1024),
  "ichigen_rows_per_s": round(int(rows) / float(i_s)),
  "sqlite3_import_s": float(q_s), "sqlite3_peak_mb": round(int(q_kb) / 1024),
  "ratio": round(float(i_s) / float(q_s), 2),
  "accepted": imported.get("accepted"), "rejected": imported.get("rejected"),
}))
PY
