#!/usr/bin/env bash
# Fuzzes the REST API with schemathesis against its own OpenAPI document (/api/openapi.json):
# a server on a private PostgreSQL cluster with the demo fund, called with an admin API token.
# Fails on any 5xx, any answer that does not match the document (status, content type, body
# schema), and any refused write that changed stored data (scripts/fuzz/hooks.py).
#
#   scripts/fuzz-api.sh                      long form: 200 examples per operation
#   FUZZ_EXAMPLES=20 scripts/fuzz-api.sh     the short form scripts/test.sh runs
#
# SERVER_BIN: the server binary (default target/release/server, else target/debug/server).
# FUZZ_SEED: schemathesis's seed (default: a fixed one, so a failure replays). Needs
# scripts/install-deps.sh (schemathesis in .local/venv). Exits non-zero on the first failure.
set -euo pipefail
exec </dev/null
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
if [[ -z "${SERVER_BIN:-}" ]]; then
    SERVER_BIN="$TARGET_DIR/release/server"
    [[ -x "$SERVER_BIN" ]] || SERVER_BIN="$TARGET_DIR/debug/server"
fi
[[ -x "$SERVER_BIN" ]] || { echo "fuzz-api.sh: no server binary at $SERVER_BIN (cargo leptos build)" >&2; exit 1; }
ST="$ROOT/.local/venv/bin/st"
[[ -x "$ST" ]] || { echo "fuzz-api.sh: schemathesis is missing: run scripts/install-deps.sh" >&2; exit 1; }
EXAMPLES="${FUZZ_EXAMPLES:-200}"
SEED="${FUZZ_SEED:-20261202}"

TMP=$(mktemp -d)
chmod 755 "$TMP"
PG_DATADIR="$TMP/pg"
SERVER_PID=""
cleanup() {
    local rc=$?
    set +e
    if [[ -n "$SERVER_PID" ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if ((rc != 0)) && [[ -f "$TMP/server.log" ]]; then
        echo "---- server log (last 40 lines) ----" >&2
        tail -n 40 "$TMP/server.log" >&2
    fi
    scripts/pg.sh stop "$PG_DATADIR" >/dev/null 2>&1
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PG_PORT=$(free_port)
DATABASE_URL=$(scripts/pg.sh start "$PG_DATADIR" "$PG_PORT" --throwaway)
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"

# Background passes that write on their own are off, so the refused-write check sees only the
# request's own effect.
env DATABASE_URL="$DATABASE_URL" BIND_ADDR="127.0.0.1:$PORT" SEED_DEMO=1 DEMO_PASSWORD=fuzz-demo-password \
    COOKIE_SECURE=false RUST_LOG=warn SNAPSHOT_RETAKE_INTERVAL_MS=0 RESERVE_REFRESH_INTERVAL_MS=0 \
    LEPTOS_OUTPUT_NAME=fundlens LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    "$SERVER_BIN" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do
    curl -fsS -o /dev/null --max-time 2 "$BASE/healthz" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "fuzz-api.sh: the server exited at start-up" >&2; exit 1; }
    sleep 0.5
done
curl -fsS -o /dev/null "$BASE/healthz" || { echo "fuzz-api.sh: the server did not become healthy" >&2; exit 1; }

TOKEN=$(DATABASE_URL="$DATABASE_URL" "$SERVER_BIN" admin mint-token demo@fundlens.local fuzzing admin)
FUND_ID=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/funds" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
sed "s/@FUND_ID@/$FUND_ID/" scripts/fuzz/schemathesis.toml >"$TMP/schemathesis.toml"

echo "fuzz-api.sh: $EXAMPLES examples per operation, seed $SEED, server $SERVER_BIN, fund $FUND_ID"
started=$(date +%s)
export FUZZ_DATABASE_URL="$DATABASE_URL" SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$ROOT/scripts/fuzz"
export PATH="$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/psql' | sort -V | tail -n 1)"):$PATH"
"$ST" --config-file "$TMP/schemathesis.toml" run "$BASE/api/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,refused_requests_write_nothing \
    --phases examples,coverage,fuzzing \
    --max-examples "$EXAMPLES" \
    --seed "$SEED" \
    --generation-database none \
    --request-timeout 30 \
    --no-color
echo "fuzz-api.sh: passed in $(($(date +%s) - started)) s"
