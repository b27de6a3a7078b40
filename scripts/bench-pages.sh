#!/usr/bin/env bash
# Load benchmark of the server-rendered hub pages, and the size of the hydrate bundle.
#
#   scripts/bench-pages.sh            release build, throwaway PostgreSQL, demo fund, wrk -c64 -d20s
#
# Prints requests/s and latency for the Time Machine at dates rotating over 60 month ends, then for
# every hub tab at one URL, from the page cache and with every request a cache miss, then the
# gzipped size of the release WASM. Loopback only; bounded in time; cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.local/npm/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

# shellcheck source=bench/serve-demo.sh
source scripts/bench/serve-demo.sh pages
# Signed in as the demo user, as a browser is: every request carries the session cookie, so each
# one also loads the session and checks fund membership in PostgreSQL.
session=$(curl -s -o /dev/null -c - -d 'email=demo@fundlens.local&password=bench-demo-password&next=/' "http://127.0.0.1:$port/login" | awk '$6 == "fundlens_session" {print $7}')
[[ -n "$session" ]] || { echo "bench-pages.sh: could not sign in" >&2; exit 1; }
export COOKIE="fundlens_session=$session"
fund=$(curl -sf -H "Cookie: $COOKIE" "http://127.0.0.1:$port/api/funds" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "http://127.0.0.1:$port/funds/$fund/time-machine?at=2024-06-30")
[[ "$code" == 200 ]] || { echo "bench-pages.sh: the signed-in page answered $code, not 200" >&2; exit 1; }
echo "server on :$port, demo fund $fund, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# Warm the caches the way users do, then measure.
FUND_ID=$fund DATES=60 wrk -t2 -c8 -d5s -s scripts/bench/pages.lua "http://127.0.0.1:$port" >/dev/null
echo "== Time Machine, 60 dates rotating, 64 connections, 20 s"
FUND_ID=$fund DATES=60 wrk -t2 -c64 -d20s --latency -s scripts/bench/pages.lua "http://127.0.0.1:$port" | grep -E "requests/s|Non-2xx|Socket errors" || true
curl -s -o /dev/null -H "Cookie: $COOKIE" "http://127.0.0.1:$port/funds/$fund/reserves?at=2024-06-30"
# The first Reserves view queues the date's ranking and its quarter-end history; wait until every
# run is done (each finished run bumps the fund's revision, which empties its cached pages).
for _ in $(seq 1 120); do
  busy=$(curl -sf -H "Cookie: $COOKIE" "http://127.0.0.1:$port/api/funds/$fund/reserves/runs?limit=100" | python3 -c 'import json,sys; print(sum(r["status"] in ("queued","running") for r in json.load(sys.stdin)["runs"]))')
  [[ "$busy" == 0 ]] && break
  sleep 1
done
# CPU ticks (1/100 s on Linux: USER_HZ) of the whole machine, of the server and of PostgreSQL (the
# postmaster and its backends), so each miss run can say where its CPU went per request.
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
process_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() {
  local postmaster
  postmaster=$(head -n 1 "$work/pg/postmaster.pid")
  { process_ticks "$postmaster"; for child in $(pgrep -P "$postmaster"); do process_ticks "$child"; done; } | awk '{s+=$1} END{print s+0}'
}
# Runs wrk with the given environment for 20 s and prints its summary, then the CPU per request:
# on two cores, p99 <= 50 ms under 64 connections needs the whole machine (server, PostgreSQL and wrk
# itself) to spend about 1 ms per request.
wrk_with_cpu_split() {
  local before_machine before_server before_pg summary
  before_machine=$(machine_ticks); before_server=$(process_ticks "$server_pid"); before_pg=$(postgres_ticks)
  summary=$(env "$@" wrk -t2 -c64 -d20s --latency -s scripts/bench/pages.lua "http://127.0.0.1:$port" | grep -E "requests/s|Non-2xx|Socket errors" || true)
  echo "$summary"
  SUMMARY=$summary MACHINE=$(( $(machine_ticks) - before_machine )) SERVER=$(( $(process_ticks "$server_pid") - before_server )) \
    PG=$(( $(postgres_ticks) - before_pg )) python3 -c '
import os, re
found = re.search(r"requests/s (\d+)", os.environ["SUMMARY"])
requests = float(found.group(1)) * 20 if found else 0
if requests:
    per = lambda name: int(os.environ[name]) * 10 / requests
    print("CPU per request: machine %.2f ms, server %.2f ms, PostgreSQL %.2f ms, the rest (wrk, kernel) %.2f ms"
          % (per("MACHINE"), per("SERVER"), per("PG"), per("MACHINE") - per("SERVER") - per("PG")))'
}
# Every hub tab at one URL, once served from the page cache and once with a unique parameter per
# request, so that every request misses the page cache and renders the page.
for tab in overview time-machine variance reserves; do
  curl -s -o /dev/null -H "Cookie: $COOKIE" "http://127.0.0.1:$port/funds/$fund/$tab?at=2024-06-30"
  echo "== $tab, one URL (page cache hits), 64 connections, 20 s"
  TAB=$tab FUND_ID=$fund DATES=1 wrk -t2 -c64 -d20s --latency -s scripts/bench/pages.lua "http://127.0.0.1:$port" | grep -E "requests/s|Non-2xx|Socket errors" || true
  echo "== $tab, every request a page-cache miss, 64 connections, 20 s"
  wrk_with_cpu_split TAB="$tab" MISS=1 FUND_ID="$fund" DATES=1
done
echo "== page size"
curl -s -H "Cookie: $COOKIE" -o /dev/null -w "HTML %{size_download} bytes\n" "http://127.0.0.1:$port/funds/$fund/time-machine?at=2024-06-30"
echo "== hydrate bundle (release, wasm-opt)"
wasm=$(ls target/site/pkg/*.wasm)
printf 'wasm %s bytes, gzip -9 %s bytes\n' "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)"
