#!/usr/bin/env bash
# HTTP append throughput of the release server on a private PostgreSQL cluster (docs/benchmarks.md).
#
#   scripts/bench-http.sh [--throwaway]
#
# Builds `target/release/server`, starts a DURABLE private cluster (fsync and synchronous_commit
# on, as in production; --throwaway turns them off, for comparison only) on a free port under a
# temporary directory, starts the server on a free loopback port, creates funds through the API and
# drives POST /api/funds/{id}/events with wrk and scripts/bench/append.lua:
#
#   single-1-conn     1 connection, single events (the uncontended cost of one append)
#   single-one-fund   16 connections, single events, all on one fund (appends to one fund
#                     serialize on its row lock by design: this is the worst case)
#   single-16-funds   16 connections, single events, each connection on its own fund
#   batch-4-funds     4 connections, 1,000 events per request, each on its own fund
#   batch-1-fund      1 connection, 1,000 events per request
#
# Events are ACTUAL_RECORDED with one CAPITAL_CALLED in a hundred (CALL_EVERY=2: one in two, the
# mix of the earlier figures; see scripts/bench/append.lua); every phase starts on fresh funds.
#
# Each phase runs DURATION seconds (default 20). Prints events/s, latency p50/p90/p99 and the
# status counts; exits 1 if any response was not 201 or any socket error occurred. Everything
# listens on 127.0.0.1 and is stopped and removed on exit (KEEP_TMP=1 keeps the logs and cluster).
#
# Environment: DURATION (s), DATABASE_MAX_CONNECTIONS (passed to the server; its default is 32),
# SNAPSHOT_FREQUENCY (server default 100), SKIP_BUILD=1 (use the existing binary), CALL_EVERY,
# PHASES (space-separated phase names to run; default all), SERVER_BIN (default
# target/release/server, e.g. an older build to compare).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURATION=${DURATION:-20}
THROWAWAY=""
case "${1:-}" in
    "") ;;
    --throwaway) THROWAWAY=--throwaway ;;
    *) sed -n '2,20s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac

log() { printf 'bench-http: %s\n' "$*" >&2; }
die() { printf 'bench-http: error: %s\n' "$*" >&2; exit 1; }

if ! command -v wrk >/dev/null; then
    log "installing wrk (apt-get install -y wrk)"
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
for tool in wrk curl jq; do
    command -v "$tool" >/dev/null || die "$tool is required"
done

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
    log "cargo build --release -p server (slow the first time on a small machine)"
    SQLX_OFFLINE=true cargo build --release -p server >&2
fi
SERVER_BIN=${SERVER_BIN:-target/release/server}
[[ -x "$SERVER_BIN" ]] || die "$SERVER_BIN is missing"

# A port nothing listens on right now (the small race with other processes is acceptable here).
free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free port found"
}

TMP=$(mktemp -d /tmp/fundlens-bench.XXXXXX)
SERVER_PID=""
cleanup() {
    local status=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -INT "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    scripts/pg.sh stop "$TMP/pg" >/dev/null 2>&1 || true
    if [[ "${KEEP_TMP:-}" == 1 ]]; then
        log "kept $TMP"
    else
        rm -rf "$TMP"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PG_PORT=$(free_port)
log "starting a $([[ -n "$THROWAWAY" ]] && echo throwaway || echo durable) PostgreSQL cluster on 127.0.0.1:$PG_PORT under $TMP"
DATABASE_URL=$(scripts/pg.sh start "$TMP/pg" "$PG_PORT" $THROWAWAY)
PSQL=(psql -X -q -tA -h 127.0.0.1 -p "$PG_PORT" -U postgres -d fundlens)
durability=$("${PSQL[@]}" -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
    WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers')")

APP_PORT=$(free_port)
BASE="http://127.0.0.1:$APP_PORT"
log "starting $SERVER_BIN on $BASE (log: $TMP/server.log)"
DATABASE_URL="$DATABASE_URL" BIND_ADDR="127.0.0.1:$APP_PORT" SEED_DEMO=false \
    LEPTOS_OUTPUT_NAME=fundlens LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    "$SERVER_BIN" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$TMP/server.log" >&2; die "server exited"; }
    sleep 0.2
done
curl -fsS "$BASE/healthz" >/dev/null || die "server did not become healthy"

# Every API call is authenticated: a bench user and an admin token, made with the admin command.
FUNDLENS_PASSWORD=bench-password-only DATABASE_URL="$DATABASE_URL" "$SERVER_BIN" admin create-user bench@fundlens.local >/dev/null
BENCH_TOKEN=$(DATABASE_URL="$DATABASE_URL" "$SERVER_BIN" admin mint-token bench@fundlens.local bench admin)
export BENCH_TOKEN
AUTH=(-H "authorization: Bearer $BENCH_TOKEN")

# A fund with a huge commitment (calls of 1,000 never exhaust it) and one company for actuals.
# Prints "fund_id:company_id". Effective a year ago so "now" events are well after its start.
new_fund() {
    local since fund company
    since=$(date -u -d '1 year ago' +%Y-%m-%dT%H:%M:%SZ)
    fund=$(curl -fsS "${AUTH[@]}" -H 'content-type: application/json' -d "{\"name\":\"Bench $1\",\"size\":\"100000000000000\",\"effective_at\":\"$since\"}" \
        "$BASE/api/funds" | jq -r .id)
    company=$(curl -fsS "${AUTH[@]}" -H 'content-type: application/json' \
        -d "{\"events\":[{\"type\":\"COMPANY_ADDED\",\"effective_at\":\"$since\",\"payload\":{\"name\":\"Bench Co $1\",\"stage\":\"seed\"}}]}" \
        "$BASE/api/funds/$fund/events" | jq -r '.events[0].company_id')
    [[ "$fund" =~ ^[0-9a-f-]{36}$ && "$company" =~ ^[0-9a-f-]{36}$ ]] || die "could not create fund $1"
    echo "$fund:$company"
}

stored_events() {
    "${PSQL[@]}" -c "SELECT count(*) FROM fund_events"
}

FAILED=0
# run_phase <name> <connections> <events per request> <fund:company>...
run_phase() {
    local name=$1 conns=$2 per=$3
    shift 3
    if [[ -n "${PHASES:-}" && " $PHASES " != *" $name "* ]]; then
        return
    fi
    local before after out result
    before=$(stored_events)
    log "phase $name: $conns connections, $per event(s) per request, $# fund(s), ${DURATION}s"
    out=$(wrk -t"$conns" -c"$conns" -d"${DURATION}s" --timeout 30s -s scripts/bench/append.lua "$BASE" -- "$per" "$@")
    after=$(stored_events)
    result=$(grep '^RESULT ' <<<"$out" | sed 's/^RESULT //')
    [[ -n "$result" ]] || { printf '%s\n' "$out" >&2; die "wrk printed no RESULT for $name"; }
    grep '^FIRST_ERROR ' <<<"$out" >&2 || true
    local non201 sockets
    non201=$(sed -E 's/.*non201=([0-9]+).*/\1/' <<<"$result")
    sockets=$(sed -E 's/.*socket_errors=([0-9]+).*/\1/' <<<"$result")
    if ((non201 > 0 || sockets > 0)); then
        FAILED=1
    fi
    printf '%-16s conns=%-2s %s stored_in_db=%s\n' "$name" "$conns" "$result" "$((after - before))"
}

log "creating 23 funds"
SOLO=$(new_fund solo)
ONE=$(new_fund one)
MANY=()
for i in $(seq 1 16); do MANY+=("$(new_fund "single-$i")"); done
BATCH=()
for i in $(seq 1 4); do BATCH+=("$(new_fund "batch-$i")"); done
BATCH_SOLO=$(new_fund batch-solo)

echo "# Fundlens HTTP append benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- app server domain 2>/dev/null || echo ' (+ uncommitted changes in the tree)'), release build, $(nproc) cores"
echo "# cluster: ${THROWAWAY:+THROWAWAY (not durable) }$durability; server $SERVER_BIN DATABASE_MAX_CONNECTIONS=${DATABASE_MAX_CONNECTIONS:-32 (default)} SNAPSHOT_FREQUENCY=${SNAPSHOT_FREQUENCY:-100 (default)} CALL_EVERY=${CALL_EVERY:-100 (default)}"
echo "# before: load average $(cut -d' ' -f1-3 /proc/loadavg), rustc processes $(pgrep -c rustc || true)"

run_phase single-1-conn 1 1 "$SOLO"
run_phase single-one-fund 16 1 "$ONE"
run_phase single-16-funds 16 1 "${MANY[@]}"
run_phase batch-4-funds 4 1000 "${BATCH[@]}"
run_phase batch-1-fund 1 1000 "$BATCH_SOLO"

echo "# after: load average $(cut -d' ' -f1-3 /proc/loadavg), rustc processes $(pgrep -c rustc || true)"
if ((FAILED)); then
    log "FAILED: some responses were not 201 (or sockets failed); see above and $TMP/server.log"
    KEEP_TMP=1
    exit 1
fi
