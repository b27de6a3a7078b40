#!/usr/bin/env bash
# Installs whatever Fundlens needs to build, run and test and is not there yet; prints one line
# when everything is present. Safe to run again and again. Needs Rust (rustup) and, on Debian,
# root or sudo for apt. Nothing here downloads at build time later: cargo-leptos must find
# wasm-bindgen and wasm-opt on PATH, or it would try to fetch them from the internet.
#
#   apt:     ca-certificates, curl, build-essential, pkg-config, procps, PostgreSQL (15 on bookworm),
#            chromium, fonts-liberation, python3 and python3-venv (the fault and fuzzing suites)
#   needs:   Node.js >= 20 with npm (playwright-core needs 20; Debian bookworm's nodejs is 18)
#   rustup:  wasm32-unknown-unknown target; nightly (only to build cargo-leptos)
#   cargo:   cargo-leptos $CARGO_LEPTOS_VERSION (~20 min), wasm-bindgen-cli at the Cargo.lock version
#   npm:     binaryen@132 (wasm-opt) into .local/npm, end2end/node_modules (npm ci)
#   PyPI:    schemathesis $SCHEMATHESIS_VERSION into the venv .local/venv (API fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
NPM_PREFIX="$ROOT/.local/npm"
export PATH="$NPM_PREFIX/node_modules/.bin:$CARGO_BIN:$PATH"

CARGO_LEPTOS_VERSION=${CARGO_LEPTOS_VERSION:-0.3.11}
# Debian's binaryen (108) produces wasm that fails in the browser with current wasm-bindgen.
BINARYEN_VERSION=132
SCHEMATHESIS_VERSION=4.32.5

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }
changed=0

# --- Debian packages ---------------------------------------------------------------------------
pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_missing=()
if command -v dpkg-query >/dev/null; then
    for pkg in ca-certificates curl build-essential pkg-config procps fonts-liberation python3 python3-venv; do
        pkg_installed "$pkg" || apt_missing+=("$pkg")
    done
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || apt_missing+=(postgresql)
    [[ -x /usr/bin/chromium ]] || apt_missing+=(chromium)
fi

if ((${#apt_missing[@]})); then
    say "apt-get install ${apt_missing[*]}"
    sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        command -v sudo >/dev/null || die "need root (or sudo) to install: ${apt_missing[*]}"
        sudo=(sudo)
    fi
    mkdir -p "$ROOT/.local"
    apt_log="$ROOT/.local/apt.log"
    if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends "${apt_missing[@]}"; } >"$apt_log" 2>&1 </dev/null; then
        tail -n 30 "$apt_log" >&2
        die "apt-get failed (full log: $apt_log)"
    fi
    changed=1
elif ! command -v dpkg-query >/dev/null; then
    say "not a Debian system: make sure PostgreSQL 15, Chromium (/usr/bin/chromium), a C compiler and node/npm are installed"
fi

# --- Rust ----------------------------------------------------------------------------------------
command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs) first"
command -v rustup >/dev/null || die "rustup not found: the wasm target and nightly (for cargo-leptos) need it"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
    changed=1
fi

# Another `cargo install` of the same crate (e.g. a second terminal) would compile it twice on a
# small machine; wait for it and use its result instead.
wait_for_other_install() {
    local crate=$1
    command -v pgrep >/dev/null || return 0
    if pgrep -f "cargo.* install .*$crate" >/dev/null; then
        say "another 'cargo install $crate' is running; waiting for it to finish"
        while pgrep -f "cargo.* install .*$crate" >/dev/null; do sleep 10; done
    fi
}

if ! command -v cargo-leptos >/dev/null; then
    wait_for_other_install cargo-leptos
fi
if ! command -v cargo-leptos >/dev/null; then
    # cargo-leptos' lockfile needs a newer rustc than stable; nightly only builds this tool.
    if ! rustup run nightly rustc --version >/dev/null 2>&1; then
        say "rustup toolchain install nightly --profile minimal (only to build cargo-leptos)"
        rustup toolchain install nightly --profile minimal
    fi
    say "cargo +nightly install cargo-leptos --version $CARGO_LEPTOS_VERSION --locked (about 20 minutes on 2 cores)"
    cargo +nightly install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
    changed=1
fi

# cargo-leptos does not check the wasm-bindgen version it finds: it must equal the library's.
[[ -f Cargo.lock ]] || die "Cargo.lock is missing (run from a complete checkout)"
WASM_BINDGEN_VERSION=$(awk '
    $0 == "name = \"wasm-bindgen\"" { found = 1; next }
    found && /^version = / { gsub(/version = |"/, ""); print; exit }
' Cargo.lock)
[[ -n "$WASM_BINDGEN_VERSION" ]] || die "no wasm-bindgen entry in Cargo.lock"

wasm_bindgen_current() { wasm-bindgen --version 2>/dev/null | awk '{print $2}'; }
if [[ "$(wasm_bindgen_current)" != "$WASM_BINDGEN_VERSION" ]]; then
    wait_for_other_install wasm-bindgen-cli
fi
if [[ "$(wasm_bindgen_current)" != "$WASM_BINDGEN_VERSION" ]]; then
    say "cargo install wasm-bindgen-cli --version $WASM_BINDGEN_VERSION (Cargo.lock's wasm-bindgen; about 4 minutes)"
    # No --locked: the registry lacks some of the versions its lockfile pins.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
    changed=1
fi

# --- npm -----------------------------------------------------------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
((node_major >= 20)) || die "Node.js >= 20 with npm is required (found: $(node --version 2>/dev/null || echo none)); Debian bookworm's nodejs package is 18, use NodeSource or nodejs.org"
command -v npm >/dev/null || die "npm not found (it comes with Node.js)"

if ! "$NPM_PREFIX/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION\b"; then
    say "npm install binaryen@$BINARYEN_VERSION into .local/npm (wasm-opt for release builds)"
    mkdir -p "$NPM_PREFIX"
    npm install --prefix "$NPM_PREFIX" --no-audit --no-fund --loglevel=error --save-exact \
        "binaryen@$BINARYEN_VERSION" </dev/null
    changed=1
fi

e2e_stamp=end2end/node_modules/.package-lock.json
if [[ ! -f "$e2e_stamp" || end2end/package-lock.json -nt "$e2e_stamp" ]]; then
    say "npm ci in end2end/ (playwright-core)"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error </dev/null)
    changed=1
fi

# --- PyPI ----------------------------------------------------------------------------------------
VENV="$ROOT/.local/venv"
if [[ "$("$VENV/bin/st" --version 2>/dev/null | awk '{print $3}')" != "$SCHEMATHESIS_VERSION" ]]; then
    say "pip install schemathesis==$SCHEMATHESIS_VERSION into .local/venv (API fuzzing)"
    [[ -x "$VENV/bin/pip" ]] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" </dev/null
    changed=1
fi

if pkg_installed binaryen 2>/dev/null; then
    say "note: Debian's binaryen is installed; these scripts put binaryen@$BINARYEN_VERSION first on PATH (Debian's breaks release builds)"
fi

summary="cargo-leptos $(cargo-leptos --version 2>/dev/null | awk '{print $2}'), wasm-bindgen $WASM_BINDGEN_VERSION, wasm-opt $BINARYEN_VERSION, $("$(compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' | sort -V | tail -n 1)" --version), $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium ?'), schemathesis $SCHEMATHESIS_VERSION"
if ((changed)); then
    say "done: $summary"
else
    say "all present: $summary"
fi
