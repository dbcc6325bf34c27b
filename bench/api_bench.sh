#!/usr/bin/env bash
# API benchmark (issue 7): a store of ROWS patients (ichigen synth + import,
# cached in /tmp between runs), the server on a free loopback port, one API
# token, and wrk at CONNECTIONS concurrent connections for patient detail
# (random ids) and search (HER-SYS ID, kana prefix, birth date). Every
# request is authenticated and audited, as in production.
# Prints one JSON object per scenario. Usage:
#   bench/api_bench.sh [BUILD_DIR]   (ROWS=1000000 DURATION=20 CONNECTIONS=200 THREADS=2)
# BASE_DB=path: start from a copy of that store (e.g. the peak-day bench's
# cached 1,000,000-patient store) instead of building one; it is never modified.
# SERVER_THREADS, DB_CONNECTIONS: the server's --threads and --db-connections.
# Each scenario's line carries the 1-minute load average at its end: on a
# shared machine the figures mean little without it. server_cpu_ms_per_request
# is the server's CPU time (user + system) over the run divided by requests.
set -euo pipefail
build=${1:-build}
rows=${ROWS:-1000000}
duration=${DURATION:-20}
connections=${CONNECTIONS:-200}
wrk_threads=${THREADS:-2}
ichigen="$(cd "$build" && pwd)/ichigen"
here="$(cd "$(dirname "$0")" && pwd)"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }

cache=/tmp/ichigen_api_bench_${rows}
db="$cache/ichigen.db"
if [ -n "${BASE_DB:-}" ]; then
  db=$BASE_DB
elif [ ! -f "$cache/ready" ]; then
  mkdir -p "$cache"
  rm -f "$db" "$db-wal" "$db-shm"
  echo "building a store of $rows patients in $cache (cached for next runs)…" >&2
  "$ichigen" synth --kind hersys --rows "$rows" --seed 7 --out "$cache/hersys.csv" >/dev/null
  "$ichigen" --db "$db" import --json "$cache/hersys.csv" >&2
  rm -f "$cache/hersys.csv"
  touch "$cache/ready"
fi
work=$(mktemp -d /tmp/ichigen_api_bench_run.XXXXXX)
cp "$db" "$work/ichigen.db"
"$ichigen" --db "$work/ichigen.db" user add bench --role operator --password-stdin <<< "bench-password-1" >/dev/null
token=$("$ichigen" --db "$work/ichigen.db" user token bench --name api_bench)

"$ichigen" --db "$work/ichigen.db" serve --port 0 --threads "${SERVER_THREADS:-$((connections + 16))}" \
  --db-connections "${DB_CONNECTIONS:-16}" > "$work/serve.out" 2> "$work/serve.err" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 600); do grep -q listening "$work/serve.out" && break; sleep 0.1; done
port=$(grep -o '[0-9]*$' "$work/serve.out")
url="http://127.0.0.1:$port"
curl -fsS -H "Authorization: Bearer $token" "$url/api/v1/patients/1" >/dev/null

# CPU seconds the server process has used (user + system).
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$server/stat"; }
for mode in detail search; do
  cpu_before=$(server_cpu)
  TOKEN=$token ROWS=$rows MODE=$mode wrk -t "$wrk_threads" -c "$connections" -d "${duration}s" \
    --timeout 10s -s "$here/api_load.lua" "$url" | grep '^{' > "$work/wrk.json"
  cpu_after=$(server_cpu)
  python3 -c "import json,os,sys; r=json.load(open('$work/wrk.json')); r.update(rows=$rows, connections=$connections, load_1min=os.getloadavg()[0], server_cpu_ms_per_request=round(($cpu_after - $cpu_before) * 1000 / max(r['requests'], 1), 3)); print(json.dumps(r))"
done
audit=$(curl -fsS "$url/metrics" | awk '/^ichigen_audit_entries /{print $2}')
echo "{\"audit_entries_after\": $audit}"
