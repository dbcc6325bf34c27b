#!/usr/bin/env bash
# Identity through the store (issue 5): an update sheet whose rows lack the
# HER-SYS ID at NO_ID_RATE (default 1.0) is imported into a copy of the
# cached BASE-patient store (see bench/peak_day_bench.sh), and every ID-less
# row's outcome is compared with the truth `ichigen synth --truth` writes:
# auto-link precision and recall, review rate, and how many reviews show the
# true patient first. Prints one JSON object. Usage:
#   bench/identity_store_eval.sh [BUILD]   (env: BASE, UPDATES, NO_ID_RATE, SEED)
set -euo pipefail
build=${1:-build}
base=${BASE:-1000000}
updates=${UPDATES:-20000}
no_id_rate=${NO_ID_RATE:-1.0}
seed=${SEED:-42}
ichigen="$(realpath "$build/ichigen")"
base_db=/tmp/ichigen_bench_cache/base_${base}.db
if [ ! -f "$base_db" ]; then
  echo "no cached base store $base_db: run bench/peak_day_bench.sh first" >&2
  exit 2
fi
work=$(mktemp -d /tmp/ichigen_identity_eval.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$base_db" "$work/store.db"

# The base was made with seed 42; the update sheet names its patients.
"$ichigen" synth --kind updates --rows "$updates" --patients "$base" --seed "$seed" --to 2022-07-27 \
  --no-id-rate "$no_id_rate" --out "$work/updates.csv" --truth "$work/truth.csv" >/dev/null
/usr/bin/time -f '%e %U %S %M' -o "$work/import.time" \
  "$ichigen" --db "$work/store.db" import --json "$work/updates.csv" > "$work/import.json"

python3 - "$work" "$no_id_rate" <<'PY'
import csv, json, sqlite3, sys
work, no_id_rate = sys.argv[1], float(sys.argv[2])
truth = {int(r["line"]): r["hersys_id"] for r in csv.DictReader(open(f"{work}/truth.csv"))}
with open(f"{work}/updates.csv", encoding="cp932", newline="") as f:
    rows = list(csv.reader(f))
# Physical line of each record (header is line 1; no quoted line breaks in synth output).
id_less = {i + 1 for i, r in enumerate(rows) if i > 0 and r and r[0].strip() == ""}
batch = json.loads(open(f"{work}/import.json").read().splitlines()[-1])
db = sqlite3.connect(f"{work}/store.db")
outcomes = {line: (reason, hersys or "") for line, reason, hersys in db.execute(
    "SELECT line, reason_code, hersys_id FROM batch_rows WHERE batch_id = ?", (batch["batch_id"],))}
top = {line: hersys or "" for line, hersys in db.execute(
    "SELECT r.line, p.hersys_id FROM review_items r LEFT JOIN patients p ON p.id = r.candidate_patient_id "
    "WHERE r.batch_id = ?", (batch["batch_id"],))}
auto = wrong = review = review_true_first = 0
for line in id_less:
    reason, hersys = outcomes.get(line, ("missing", ""))
    if reason == "auto_linked":
        auto += 1
        wrong += hersys != truth.get(line)
    elif line in top:
        review += 1
        review_true_first += top[line] == truth.get(line)
wall, user, system, peak_kb = open(f"{work}/import.time").read().split()
n = len(id_less)
print(json.dumps({
    "benchmark": "identity_store_eval", "update_rows": batch["rows"], "no_id_rate": no_id_rate,
    "id_less_rows": n, "auto_links": auto, "false_auto_links": wrong,
    "auto_link_precision": round((auto - wrong) / auto, 6) if auto else None,
    "linked_or_queued_true_first": round((auto - wrong + review_true_first) / n, 6) if n else None,
    "review_rate": round(review / n, 6) if n else None,
    "batch_s": round(batch["seconds"], 2), "process_wall_s": float(wall),
    "cpu_s": round(float(user) + float(system), 2), "peak_mb": round(int(peak_kb) / 1024),
}))
PY
