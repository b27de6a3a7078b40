# Sourced by the benchmark scripts (from the repository root): builds the release site, starts a
# throwaway PostgreSQL and a release server with the demo fund on free loopback ports, and stops
# both on exit. Sets `work`, `port`, `database_url` and `server_pid`. Usage: source it with a name:
#   source scripts/bench/serve-demo.sh pages
bench_name=${1:?serve-demo.sh needs a name for its temp dir}

cargo leptos build --release 2>&1 | tail -n 3

work=$(mktemp -d "/tmp/fundlens-bench-$bench_name.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  scripts/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
database_url=$(scripts/pg.sh start "$work/pg" "$pgport")

DATABASE_URL=$database_url BIND_ADDR=127.0.0.1:$port SEED_DEMO=1 DEMO_PASSWORD=bench-demo-password COOKIE_SECURE=false LOG_FORMAT=json RUST_LOG=warn \
  LEPTOS_OUTPUT_NAME=fundlens LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
  target/release/server >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
