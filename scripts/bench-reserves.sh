#!/usr/bin/env bash
# Benchmark of reserve runs over HTTP (docs/benchmarks.md, "Reserve runs over HTTP"):
#
#   scripts/bench-reserves.sh     release build, throwaway PostgreSQL, demo fund, node scripts/bench/reserves.mjs
#
# Fresh runs POST → first progress / result, 200 SSE listeners on one run with /healthz latency
# meanwhile (node scripts/bench/reserves.mjs), cached answers under 1, 4 and 16 clients (wrk). Loopback only; bounded in time; cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.local/npm/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# shellcheck source=bench/serve-demo.sh
source scripts/bench/serve-demo.sh reserves
token=$(DATABASE_URL=$database_url target/release/server admin mint-token demo@fundlens.local bench admin)
fund=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/funds" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
echo "server on :$port, demo fund $fund, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
BASE_URL="http://127.0.0.1:$port" TOKEN=$token FUND=$fund node scripts/bench/reserves.mjs
# The same request again and again: answered from the cache (the first computes it).
curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"seed":"42"}' "http://127.0.0.1:$port/api/funds/$fund/reserves/runs"
sleep 2
for clients in 1 4 16; do
  printf '%2d clients, 10 s: ' "$clients"
  TOKEN=$token FUND_ID=$fund wrk -t1 -c"$clients" -d10s --latency -s scripts/bench/reserves_cached.lua "http://127.0.0.1:$port" | grep "cached answers"
done
