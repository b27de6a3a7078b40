#!/usr/bin/env bash
# The README's test command: the whole suite, failing fast.
#
#   1. install-deps         whatever is missing (scripts/install-deps.sh)
#   2. PostgreSQL           a throwaway cluster in a fresh temp dir on a free port; DATABASE_URL
#                           points at it as superuser `postgres` (tests create their own databases)
#   3. domain               cargo test -p domain
#   4. app                  cargo test -p app --features ssr
#   5. server               cargo test -p server
#   6. cargo leptos build   debug build of the server and the wasm bundle into target/site
#   7. end2end              target/debug/server on a free port against a fresh database `e2e`,
#                           then node --test end2end/tests/ in headless Chromium
#   8. faults               the fault suite's short form against target/debug/server
#                           (scripts/faults.sh: kill -9, PostgreSQL stopped, two processes,
#                           slow connections; its own cluster; about 30 s)
#   9. fuzz                 schemathesis against /api/openapi.json, 25 examples per operation
#                           (scripts/fuzz-api.sh: no 5xx, answers match the document, refused
#                           writes change nothing; its own cluster; about a minute)
#
# The server and the cluster are stopped and the temp dir removed on exit, also on failure.
# Works from any directory, without stdin and under CI=true. Exits non-zero on any failure.
set -euo pipefail
exec </dev/null
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.local/npm/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
# DATABASE_URL is set while compiling: keep sqlx macros from checking queries against it
# (a fresh database has no schema at compile time); they use committed .sqlx/ data instead.
export SQLX_OFFLINE=true
# Disk on a clean clone (CI; a run once failed with "No space left on device"): incremental
# caches save nothing there, and line tables cost ~450 MB per test binary (Leptos's long type
# names in .debug_str; 24 binaries made target/ 19 GB). Panics still name file and line without
# them. Developers running this by hand keep both.
if [[ -n "${CI:-}" ]]; then
    export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
    export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-false}"
fi

SUITE_START=$(date +%s)
STEP=""
STEPS=9
TMP=""
PG_DATADIR=""
SERVER_PID=""

elapsed() {
    local s=$(($(date +%s) - $1))
    printf '%dm%02ds' $((s / 60)) $((s % 60))
}

section() {
    STEP="[$1/$STEPS] $2"
    printf '\n==== %s ====\n' "$STEP"
}

fail() {
    printf 'test.sh: %s\n' "$*" >&2
    exit 1
}

free_port() {
    node -e 'const s = require("net").createServer();
             s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    stop_server
    if [[ -n "$PG_DATADIR" ]]; then
        scripts/pg.sh stop "$PG_DATADIR" >/dev/null 2>&1 ||
            printf 'test.sh: could not stop the test cluster in %s\n' "$PG_DATADIR" >&2
    fi
    if [[ -n "$TMP" ]]; then
        rm -rf "$TMP"
    fi
    if ((rc == 0)); then
        printf '\ntest.sh: PASSED: all %d steps in %s\n' "$STEPS" "$(elapsed "$SUITE_START")"
    else
        printf '\ntest.sh: FAILED at %s (exit %d) after %s\n' "${STEP:-start-up}" "$rc" "$(elapsed "$SUITE_START")" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section 1 "install-deps"
scripts/install-deps.sh

section 2 "PostgreSQL: throwaway cluster"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fundlens-test.XXXXXX")
chmod 0711 "$TMP" # the postgres user must be able to reach the cluster inside
PG_DATADIR="$TMP/pg"
pg_port=$(free_port)
DATABASE_URL=$(scripts/pg.sh start "$PG_DATADIR" "$pg_port" --throwaway)
export DATABASE_URL
echo "DATABASE_URL=$DATABASE_URL"

section 3 "domain: cargo test -p domain (and the engine without rayon against the same golden report)"
cargo test -p domain
cargo test -p domain --no-default-features --features engine --test reserves_golden

section 4 "app: cargo test -p app --features ssr"
cargo test -p app --features ssr

section 5 "server: cargo test -p server"
cargo test -p server

section 6 "cargo leptos build"
cargo leptos build
server_bin="$TARGET_DIR/debug/server"
[[ -x "$server_bin" ]] || fail "$server_bin is missing after cargo leptos build"

section 7 "end2end: target/debug/server + node --test end2end/tests/"
e2e_database_url=$(scripts/pg.sh createdb "$pg_port" e2e)
app_port=$(free_port)
base_url="http://127.0.0.1:$app_port"
mkdir -p "$TARGET_DIR/end2end"
server_log="$TARGET_DIR/end2end/server.log"
echo "starting $server_bin on $base_url (log: $server_log)"
env \
    LEPTOS_OUTPUT_NAME=fundlens \
    LEPTOS_SITE_ROOT=target/site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR="127.0.0.1:$app_port" \
    BIND_ADDR="127.0.0.1:$app_port" \
    SEED_DEMO=1 \
    DEMO_PASSWORD=e2e-demo-password \
    COOKIE_SECURE=false \
    DATABASE_URL="$e2e_database_url" \
    "$server_bin" >"$server_log" 2>&1 &
SERVER_PID=$!

show_server_log() {
    printf -- '---- server log (%s, last 100 lines) ----\n' "$server_log" >&2
    tail -n 100 "$server_log" >&2 || true
    printf -- '---- end of server log ----\n' >&2
}

deadline=$(($(date +%s) + 120))
until curl -fsS -o /dev/null --max-time 2 "$base_url/healthz" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        show_server_log
        fail "the server exited before answering GET /healthz"
    fi
    if (($(date +%s) >= deadline)); then
        show_server_log
        fail "GET $base_url/healthz did not answer 200 within 120 s"
    fi
    sleep 0.5
done
echo "server is healthy"
# The browser tests call the REST API as the demo user, with a token minted by the admin command.
FUNDLENS_TOKEN=$(DATABASE_URL="$e2e_database_url" "$server_bin" admin mint-token demo@fundlens.local end2end admin)
export FUNDLENS_TOKEN DEMO_EMAIL=demo@fundlens.local DEMO_PASSWORD=e2e-demo-password
# A second account, for the tests that need someone with less than admin rights.
FUNDLENS_PASSWORD=e2e-viewer-password DATABASE_URL="$e2e_database_url" "$server_bin" admin create-user viewer@fundlens.local >/dev/null
export VIEWER_EMAIL=viewer@fundlens.local VIEWER_PASSWORD=e2e-viewer-password

if ! BASE_URL="$base_url" node --test end2end/tests/*.test.mjs; then
    show_server_log
    fail "end2end tests failed (screenshots in end2end/screenshots/)"
fi
stop_server

section 8 "faults: scripts/faults.sh (short form) against $server_bin"
SERVER_BIN="$server_bin" FAULTS_SHORT=1 scripts/faults.sh

section 9 "fuzz: scripts/fuzz-api.sh (25 examples per operation) against $server_bin"
SERVER_BIN="$server_bin" FUZZ_EXAMPLES=25 scripts/fuzz-api.sh
