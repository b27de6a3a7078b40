#!/usr/bin/env bash
# The fault suite (issue 13; results in docs/reliability.md): kill -9 under appends, PostgreSQL
# stopped under load, two server processes on one database, 500 slow connections. Loopback only,
# its own PostgreSQL cluster (in a temp dir, on a free port), bounded in time.
#
#   scripts/faults.sh                 long form: 10 s of load per phase, PostgreSQL down 5 s and 15 s
#   FAULTS_SHORT=1 scripts/faults.sh  short form for scripts/test.sh: 3 s per phase, down 5 s
#
# SERVER_BIN: the server binary (default target/release/server, else target/debug/server; build
# one with `cargo leptos build --release`). Exits non-zero on the first broken promise.
set -euo pipefail
exec </dev/null
cd "$(dirname "$0")/.."
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
if [[ -z "${SERVER_BIN:-}" ]]; then
    SERVER_BIN="$TARGET_DIR/release/server"
    [[ -x "$SERVER_BIN" ]] || SERVER_BIN="$TARGET_DIR/debug/server"
fi
[[ -x "$SERVER_BIN" ]] || { echo "faults.sh: no server binary at $SERVER_BIN (cargo leptos build)" >&2; exit 1; }
if [[ "${FAULTS_SHORT:-}" == 1 ]]; then
    export FAULTS_SECONDS=3 FAULTS_PG_DOWN=5
else
    export FAULTS_SECONDS="${FAULTS_SECONDS:-10}" FAULTS_PG_DOWN="${FAULTS_PG_DOWN:-5,15}"
fi
TMP=$(mktemp -d)
chmod 755 "$TMP"
PG_DATADIR="$TMP/pg"
cleanup() {
    local rc=$?
    set +e
    scripts/pg.sh stop "$PG_DATADIR" >/dev/null 2>&1
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL=$(scripts/pg.sh start "$PG_DATADIR" "$PG_PORT")
export SERVER_BIN DATABASE_URL PG_DATADIR PG_PORT FAULTS_LOG_DIR="$TMP"
started=$(date +%s)
if ! python3 scripts/faults/faults.py; then
    for f in "$TMP"/faults-*.log; do
        echo "---- $f (last 30 lines) ----" >&2
        tail -n 30 "$f" >&2
    done
    exit 1
fi
echo "faults.sh: passed in $(($(date +%s) - started)) s (server $SERVER_BIN)"
