#!/usr/bin/env bash
# Manage a private PostgreSQL cluster for Fundlens (never the system service).
#
#   scripts/pg.sh start <datadir> <port> [--throwaway]
#       initdb if needed (superuser `postgres`, trust auth on the unix socket and 127.0.0.1),
#       start it on 127.0.0.1:<port> with its unix socket in <datadir>.sock (next to the datadir),
#       create database `fundlens` if missing and print its DATABASE_URL on stdout.
#       --throwaway trades durability for speed (fsync, synchronous_commit, full_page_writes off):
#       only for clusters that are deleted after the run.
#   scripts/pg.sh stop <datadir>             stop it (no-op when not running)
#   scripts/pg.sh status <datadir>           exit 0 when running, 3 when not
#   scripts/pg.sh createdb <port> <name>     create database <name> if missing, print its URL
#
# Everything except the URL goes to stderr, so `DATABASE_URL=$(scripts/pg.sh start …)` works.
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (runuser).
# PG_BIN overrides where the server binaries are (default /usr/lib/postgresql/15/bin).
set -euo pipefail

log() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { printf 'pg.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,16s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

find_pg_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        [[ -x "$PG_BIN/pg_ctl" ]] || die "PG_BIN=$PG_BIN has no pg_ctl"
        return
    fi
    if [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then
        PG_BIN=/usr/lib/postgresql/15/bin
        return
    fi
    local candidate
    candidate=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/pg_ctl' 2>/dev/null |
        sort -V | tail -n 1)
    [[ -n "$candidate" ]] ||
        die "PostgreSQL server binaries not found (expected /usr/lib/postgresql/15/bin); run scripts/install-deps.sh"
    PG_BIN=$(dirname "$candidate")
    log "PostgreSQL 15 not found, using $PG_BIN"
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Run a PostgreSQL server command as the user that owns the cluster.
as_pg() {
    if is_root; then
        # cd / so the postgres user never starts in a directory it cannot read (e.g. /root).
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

check_port() {
    if ! [[ "$1" =~ ^[1-9][0-9]{0,4}$ ]] || (($1 > 65535)); then
        die "invalid port '$1'"
    fi
}

# The postgres user must be able to reach the datadir: grant traversal (o+x, no listing)
# on every ancestor it cannot enter. /root is 0700 on Debian, for instance.
ensure_traversable() {
    is_root || return 0
    local dir=$1 path="" part
    local -a parts
    IFS=/ read -r -a parts <<<"${dir#/}"
    for part in "${parts[@]}"; do
        path="$path/$part"
        if ! runuser -u postgres -- test -x "$path" 2>/dev/null; then
            log "granting traversal (chmod o+x) on $path so the postgres user can reach the cluster"
            chmod o+x "$path"
        fi
    done
}

# Our own postmaster runs with its working directory in the datadir: that tells a live
# postmaster from a PID that was reused by an unrelated process after a crash.
postmaster_pid() {
    local pidfile="$DATADIR/postmaster.pid" pid cwd
    [[ -f "$pidfile" ]] || return 1
    pid=$(head -n 1 "$pidfile" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ -d "/proc/$pid" ]] || return 1
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
    if [[ -n "$cwd" ]]; then
        [[ "$cwd" == "$DATADIR" ]] || return 1
    else
        as_pg "$PG_BIN/pg_ctl" status -D "$DATADIR" >/dev/null 2>&1 || return 1
    fi
    printf '%s\n' "$pid"
}

running_port() { sed -n '4p' "$DATADIR/postmaster.pid" 2>/dev/null || true; }

remove_stale_pidfile() {
    if [[ -f "$DATADIR/postmaster.pid" ]]; then
        log "removing stale postmaster.pid (pid $(head -n 1 "$DATADIR/postmaster.pid") is not this cluster's postmaster; previous crash?)"
        rm -f "$DATADIR/postmaster.pid"
        rm -f "$SOCKDIR"/.s.PGSQL.*.lock "$SOCKDIR"/.s.PGSQL.[0-9]*
    fi
}

port_in_use() {
    # A TCP connect succeeds when anything listens on 127.0.0.1:<port> (or 0.0.0.0:<port>).
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

psql_admin() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d postgres "${@:2}"
}

create_db() {
    local port=$1 name=$2 exists
    [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "invalid database name '$name'"
    exists=$(psql_admin "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")
    if [[ "$exists" != 1 ]]; then
        psql_admin "$port" -c "CREATE DATABASE \"$name\""
        log "created database $name"
    fi
    printf 'postgres://postgres@127.0.0.1:%s/%s\n' "$port" "$name"
}

# Absolute, symlink-free paths (a live postmaster's /proc/<pid>/cwd is compared with DATADIR).
# Returns 1 when the datadir does not exist.
set_paths() {
    local given=$1
    [[ -n "$given" ]] || die "empty datadir"
    [[ -d "$given" ]] || return 1
    DATADIR=$(cd "$given" && pwd -P)
    SOCKDIR="$DATADIR.sock"
    LOGFILE="$DATADIR/server.log"
}

cmd_start() {
    local port=$2 throwaway=0
    case "${3:-}" in
        "") ;;
        --throwaway) throwaway=1 ;;
        *) usage ;;
    esac
    check_port "$port"
    find_pg_bin
    mkdir -p "$1"
    set_paths "$1"
    if is_root; then
        id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist; run scripts/install-deps.sh (apt-get install postgresql)"
    fi

    mkdir -p "$SOCKDIR"
    if is_root; then
        chown postgres:postgres "$DATADIR" "$SOCKDIR"
    fi
    chmod 0700 "$DATADIR" "$SOCKDIR"
    ensure_traversable "$DATADIR"

    # Unix socket paths are limited to 107 bytes; fall back to TCP only when ours would not fit.
    local sockdirs="$SOCKDIR"
    if ((${#SOCKDIR} + 20 > 107)); then
        log "socket path under $SOCKDIR would be too long; listening on TCP only"
        sockdirs=""
    fi

    if postmaster_pid >/dev/null; then
        local current
        current=$(running_port)
        if [[ "$current" == "$port" ]]; then
            log "already running on 127.0.0.1:$port ($DATADIR)"
            create_db "$port" fundlens
            return
        fi
        die "this cluster is already running on port $current, not $port; stop it first: scripts/pg.sh stop $DATADIR"
    fi
    remove_stale_pidfile

    if port_in_use "$port"; then
        local who=""
        if command -v ss >/dev/null; then
            who=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 3 || true)
        fi
        die "port $port on 127.0.0.1 is already in use${who:+ by:
$who}
choose another port (e.g. PGPORT=5434 for scripts/run.sh) or stop whatever listens there"
    fi

    local major
    major=$("$PG_BIN/pg_ctl" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')
    if [[ -f "$DATADIR/PG_VERSION" ]]; then
        [[ "$(cat "$DATADIR/PG_VERSION")" == "$major" ]] ||
            die "$DATADIR was made by PostgreSQL $(cat "$DATADIR/PG_VERSION"), binaries in $PG_BIN are $major; remove it or set PG_BIN"
        if is_root && [[ "$(stat -c %U "$DATADIR/PG_VERSION")" != postgres ]]; then
            log "giving $DATADIR back to the postgres user"
            chown -R postgres:postgres "$DATADIR"
        fi
    elif [[ -n "$(ls -A "$DATADIR")" ]]; then
        die "$DATADIR is not empty and is not a PostgreSQL data directory"
    else
        log "initdb $DATADIR (PostgreSQL $major)"
        as_pg "$PG_BIN/initdb" -D "$DATADIR" -U postgres --auth=trust \
            --encoding=UTF8 --locale=C >"$DATADIR.initdb.log" 2>&1 || {
            cat "$DATADIR.initdb.log" >&2
            die "initdb failed"
        }
        rm -f "$DATADIR.initdb.log"
        printf "\ninclude_if_exists = 'fundlens.conf'\n" >>"$DATADIR/postgresql.conf"
    fi

    # Rewritten on every start so the port and tuning follow the current invocation.
    {
        echo "# Written by scripts/pg.sh on every start; edits are overwritten."
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$sockdirs'"
        echo "max_connections = 300"
        echo "shared_buffers = 128MB"
        echo "log_min_messages = warning"
        echo "log_line_prefix = '%m [%p] %d '"
        if ((throwaway)); then
            echo "# Throwaway test cluster: durability is not needed, speed is."
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } >"$DATADIR/fundlens.conf"
    if is_root; then
        chown postgres:postgres "$DATADIR/fundlens.conf"
    fi

    log "starting PostgreSQL on 127.0.0.1:$port (log: $LOGFILE)"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$DATADIR" -l "$LOGFILE" -w -t 60 start >&2; then
        log "pg_ctl start failed; last lines of $LOGFILE:"
        tail -n 30 "$LOGFILE" >&2 || true
        exit 1
    fi
    create_db "$port" fundlens
}

cmd_stop() {
    find_pg_bin
    if ! set_paths "$1" || [[ ! -f "$DATADIR/PG_VERSION" ]]; then
        log "no cluster in $1; nothing to stop"
        return
    fi
    if ! postmaster_pid >/dev/null; then
        remove_stale_pidfile
        log "not running ($DATADIR)"
        return
    fi
    if ! as_pg "$PG_BIN/pg_ctl" -D "$DATADIR" -m fast -w -t 60 stop >&2; then
        log "fast shutdown failed; forcing an immediate shutdown"
        as_pg "$PG_BIN/pg_ctl" -D "$DATADIR" -m immediate -w -t 30 stop >&2
    fi
}

cmd_status() {
    find_pg_bin
    local pid
    if ! set_paths "$1"; then
        log "no cluster in $1"
        return 3
    fi
    if pid=$(postmaster_pid); then
        log "running (pid $pid, port $(running_port), $DATADIR)"
        return 0
    fi
    log "not running ($DATADIR)"
    return 3
}

case "${1:-}" in
    start) (($# == 3 || $# == 4)) || usage; cmd_start "${@:2}" ;;
    stop) (($# == 2)) || usage; cmd_stop "$2" ;;
    status) (($# == 2)) || usage; cmd_status "$2" ;;
    createdb)
        (($# == 3)) || usage
        check_port "$2"
        find_pg_bin
        create_db "$2" "$3"
        ;;
    *) usage ;;
esac
