#!/usr/bin/env bash
# Identity through the store (issue 5): an update sheet whose rows lack the
# HER-SYS ID at NO_ID_RATE (default 1.0), written with identity noise
# (`ichigen synth --identity-noise`: the noise kinds of identity/noise.h in
# bench_identity_eval's mix) and a share STRANGER_RATE (default 0.05) of
# hard negatives who are not in the store (twin, family member, namesake in
# another town of a stored patient), is imported into a copy of the cached
# BASE-patient store (see bench/peak_day_bench.sh). Every ID-less row's
# outcome is compared with the truth synth writes: auto-link precision
# (false auto-links), recall of rows whose person exists (auto-linked, or
# queued with the true patient first), review rate, recall per noise kind
# and what became of the hard negatives. Prints one JSON object. Usage:
#   bench/identity_store_eval.sh [BUILD]
#   (env: BASE, UPDATES, NO_ID_RATE, SEED, STRANGER_RATE, IDENTITY_NOISE=0 for plain rows)
set -euo pipefail
build=${1:-build}
base=${BASE:-1000000}
updates=${UPDATES:-20000}
no_id_rate=${NO_ID_RATE:-1.0}
seed=${SEED:-42}
stranger_rate=${STRANGER_RATE:-0.05}
identity_noise=${IDENTITY_NOISE:-1}
ichigen="$(realpath "$build/ichigen")"
base_db=/tmp/ichigen_bench_cache/base_${base}.db
if [ ! -f "$base_db" ]; then
  echo "no cached base store $base_db: run bench/peak_day_bench.sh first" >&2
  exit 2
fi
work=$(mktemp -d /tmp/ichigen_identity_eval.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp --reflink=auto "$base_db" "$work/store.db"
# A cached store from an older build is migrated before the clock starts.
"$ichigen" --db "$work/store.db" batches >/dev/null

noise_args=()
if [ "$identity_noise" = 1 ]; then
  noise_args=(--identity-noise --stranger-rate "$stranger_rate")
fi
# The base was made with seed 42; the update sheet names its patients.
"$ichigen" synth --kind updates --rows "$updates" --patients "$base" --seed "$seed" --to 2022-07-27 \
  --no-id-rate "$no_id_rate" "${noise_args[@]}" --out "$work/updates.csv" --truth "$work/truth.csv" \
  >/dev/null
/usr/bin/time -f '%e %U %S %M' -o "$work/import.time" \
  "$ichigen" --db "$work/store.db" import --json "$work/updates.csv" > "$work/import.json"

python3 - "$work" "$no_id_rate" "$stranger_rate" "$identity_noise" <<'PY'
import collections, csv, json, sqlite3, sys
work, no_id_rate, stranger_rate, identity_noise = (sys.argv[1], float(sys.argv[2]),
                                                    float(sys.argv[3]), sys.argv[4] == "1")
truth = {int(r["line"]): r for r in csv.DictReader(open(f"{work}/truth.csv"))}
if identity_noise:
    id_less = {line for line, r in truth.items() if r["row_kind"] not in ("with_id", "")}
else:
    with open(f"{work}/updates.csv", encoding="cp932", newline="") as f:
        rows = list(csv.reader(f))
    # Physical line of each record (header is line 1; no quoted line breaks in synth output).
    id_less = {i + 1 for i, r in enumerate(rows) if i > 0 and r and r[0].strip() == ""}
id_less = {line for line in id_less if truth[line]["expected"] == "accept"}
batch = json.loads(open(f"{work}/import.json").read().splitlines()[-1])
db = sqlite3.connect(f"{work}/store.db")
outcomes = {line: (reason, hersys or "") for line, reason, hersys in db.execute(
    "SELECT line, reason_code, hersys_id FROM batch_rows WHERE batch_id = ?", (batch["batch_id"],))}
top = {line: hersys or "" for line, hersys in db.execute(
    "SELECT r.line, p.hersys_id FROM review_items r LEFT JOIN patients p ON p.id = r.candidate_patient_id "
    "WHERE r.batch_id = ?", (batch["batch_id"],))}
auto = wrong = review = existing = found = existing_auto = 0
by_noise = collections.defaultdict(lambda: [0, 0, 0])   # rows, found, auto-linked right
by_kind = collections.defaultdict(lambda: collections.Counter())
false_examples = []
for line in sorted(id_less):
    t = truth[line]
    kind = t.get("row_kind") or "existing"
    true_id = t["hersys_id"] if kind == "existing" else ""
    reason, hersys = outcomes.get(line, ("missing", ""))
    linked = reason == "auto_linked"
    queued = line in top and not linked
    right = linked and hersys == true_id
    auto += linked
    review += queued
    if linked and not right:
        wrong += 1
        if len(false_examples) < 10:
            false_examples.append({"line": line, "row_kind": kind, "noise": t.get("noise"),
                                   "truth": true_id, "linked_to": hersys})
    by_kind[kind]["rows"] += 1
    by_kind[kind]["auto_linked" if linked else "review" if queued else reason] += 1
    if kind != "existing":
        continue
    existing += 1
    ok = right or (queued and top[line] == true_id)
    found += ok
    existing_auto += right
    for noise in (t.get("noise") or "none").split(";"):
        by_noise[noise][0] += 1
        by_noise[noise][1] += ok
        by_noise[noise][2] += right
wall, user, system, peak_kb = open(f"{work}/import.time").read().split()
n = len(id_less)
ratio = lambda a, b: round(a / b, 6) if b else None
print(json.dumps({
    "benchmark": "identity_store_eval", "update_rows": batch["rows"], "no_id_rate": no_id_rate,
    "identity_noise": identity_noise, "stranger_rate": stranger_rate if identity_noise else 0,
    "id_less_rows": n, "existing_rows": existing, "stranger_rows": n - existing,
    "auto_links": auto, "false_auto_links": wrong,
    "auto_link_precision": ratio(auto - wrong, auto),
    "recall_existing_linked_or_true_first": ratio(found, existing),
    "auto_link_recall_existing": ratio(existing_auto, existing),
    "review_rate": ratio(review, n),
    "hard_negatives_auto_linked": sum(c["auto_linked"] for k, c in by_kind.items() if k != "existing"),
    "by_row_kind": {k: dict(c) for k, c in sorted(by_kind.items())},
    "by_noise": {k: {"rows": v[0], "recall": ratio(v[1], v[0]), "auto_linked": ratio(v[2], v[0])}
                 for k, v in sorted(by_noise.items())},
    "false_examples": false_examples,
    "batch_s": round(batch["seconds"], 2), "process_wall_s": float(wall),
    "cpu_s": round(float(user) + float(system), 2), "peak_mb": round(int(peak_kb) / 1024),
}, ensure_ascii=False))
PY
