#!/usr/bin/env bash
# Instructions per page-cache miss of one hub tab: a count that does not depend on the machine's
# load (callgrind counts instructions, not seconds), for A/B comparisons of render work.
#
#   scripts/bench-render.sh [TAB] [MISSES]     TAB: overview | time-machine | variance | reserves
#
# Release build, throwaway PostgreSQL with the demo fund (scripts/bench/serve-demo.sh); the
# server is then restarted under `valgrind --tool=callgrind` with instrumentation off, signed in,
# warmed with 5 misses, and instrumented for MISSES sequential misses (`?at=2024-06-30&r=<n>`).
# Prints the total ÷ MISSES and the profile's path (read it with callgrind_annotate --inclusive=yes).
set -euo pipefail
cd "$(dirname "$0")/.."
tab=${1:-time-machine}
misses=${2:-50}
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }

# shellcheck source=bench/serve-demo.sh
source scripts/bench/serve-demo.sh render
# Let the demo's first reserve runs finish before the profiled server starts.
sleep 20
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
out="$work/callgrind.out"
DATABASE_URL=$database_url BIND_ADDR=127.0.0.1:$port DEMO_PASSWORD=bench-demo-password COOKIE_SECURE=false LOG_FORMAT=json RUST_LOG=warn \
  LEPTOS_OUTPUT_NAME=fundlens LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" target/release/server >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
session=$(curl -s -o /dev/null -c - -d 'email=demo@fundlens.local&password=bench-demo-password&next=/' "http://127.0.0.1:$port/login" | awk '$6 == "fundlens_session" {print $7}')
cookie="Cookie: fundlens_session=$session"
fund=$(curl -sf -H "$cookie" "http://127.0.0.1:$port/api/funds" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
url="http://127.0.0.1:$port/funds/$fund/$tab?at=2024-06-30"
for i in 1 2 3 4 5; do curl -s -o /dev/null -H "$cookie" "$url&r=warm$i"; done
callgrind_control -i on "$server_pid" >/dev/null
for i in $(seq 1 "$misses"); do curl -s -o /dev/null -H "$cookie" "$url&r=$i"; done
callgrind_control -i off "$server_pid" >/dev/null
kill -INT "$server_pid"; wait "$server_pid" 2>/dev/null || true
server_pid=""
total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
keep="/tmp/callgrind-$tab.out"
cp "$out" "$keep"
python3 -c "print('$tab: %.2f M instructions per miss over $misses misses (profile: $keep)' % ($total / $misses / 1e6))"
