#!/usr/bin/env bash
# The README's run command: installs what is missing, starts the project-local PostgreSQL in
# .pgdata/ (unless DATABASE_URL is set) and serves Fundlens with the demo fund at
# http://localhost:3000 through `cargo leptos serve`. Ctrl-C stops the server and the cluster
# this script started; the data in .pgdata/ stays for the next run.
#
#   DATABASE_URL  use this database instead of the project-local cluster
#   PGPORT        port of the project-local cluster (default 5433)
#   BIND_ADDR     address the server listens on (default 127.0.0.1:3000; 0.0.0.0:3000 for all)
#   SEED_DEMO     1 (default) seeds the demo fund into an empty database and creates the demo
#                 user demo@fundlens.local (admin of the demo fund); its password is generated
#                 once into .pgdata/demo-password (or DEMO_PASSWORD) and printed below
#   COOKIE_SECURE false by default here: this serves plain HTTP on your machine (set true behind HTTPS)
#   RELEASE=1     optimised build (cargo leptos serve --release)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.local/npm/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# DATABASE_URL is set while compiling: keep sqlx macros from checking queries against it
# (a fresh database has no schema at compile time); they use committed .sqlx/ data instead.
export SQLX_OFFLINE=true

scripts/install-deps.sh

if [[ -z "${DATABASE_URL:-}" ]]; then
    pg_datadir="$ROOT/.pgdata/cluster"
    if ! scripts/pg.sh status "$pg_datadir" 2>/dev/null; then
        # Started here, so stopped here; a cluster that was already running is left alone.
        trap 'scripts/pg.sh stop "$pg_datadir"' EXIT
    fi
    DATABASE_URL=$(scripts/pg.sh start "$pg_datadir" "${PGPORT:-5433}")
    export DATABASE_URL
fi

export BIND_ADDR="${BIND_ADDR:-127.0.0.1:3000}"
# cargo-leptos announces and passes on LEPTOS_SITE_ADDR; keep it equal to what the server binds.
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-$BIND_ADDR}"
export SEED_DEMO="${SEED_DEMO:-1}"
export COOKIE_SECURE="${COOKIE_SECURE:-false}"
if [[ -z "${DEMO_PASSWORD:-}" ]]; then
    mkdir -p "$ROOT/.pgdata"
    if [[ ! -s "$ROOT/.pgdata/demo-password" ]]; then
        (umask 077 && printf 'demo-%s\n' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$ROOT/.pgdata/demo-password")
    fi
    DEMO_PASSWORD=$(cat "$ROOT/.pgdata/demo-password")
fi
export DEMO_PASSWORD

host=${BIND_ADDR%:*}
port=${BIND_ADDR##*:}
case "$host" in
    0.0.0.0 | 127.0.0.1 | "[::]" | "[::1]" | localhost) url="http://localhost:$port" ;;
    *) url="http://$BIND_ADDR" ;;
esac

args=(serve)
if [[ "${RELEASE:-0}" == 1 ]]; then
    args+=(--release)
fi

echo "run.sh: database $DATABASE_URL"
echo "run.sh: cargo leptos ${args[*]} (the first build takes about 10 minutes on 2 cores)"
echo "run.sh: Fundlens will be at $url  (Ctrl-C to stop)"
echo "run.sh: sign in as demo@fundlens.local with password $DEMO_PASSWORD (set when the demo user was first created)"
cargo leptos "${args[@]}"
