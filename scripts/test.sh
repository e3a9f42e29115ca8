#!/usr/bin/env bash
# The whole test run, the same for a developer and for CI (.ci/run calls exactly this):
#   1. .venv with a Python >= 3.12 (scripts/find-python.sh), project installed with [test]
#   2. compile translations (needs gettext's msgfmt; skipped with a note when it is absent,
#      because the compiled .mo files are committed)
#   3. ruff check src
#   4. pytest on SQLite, then again on PostgreSQL, each in as many worker processes as there
#      are CPUs (pytest-xdist, at most 4; DTSS_TEST_WORKERS overrides, 0 = no workers)
#      ($DTSS_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/dtss;
#      pytest-django creates and drops the test_<name> database)
#
# Usage: bash scripts/test.sh [--sqlite-only] [extra pytest arguments …]
# Each pytest run gets its own temporary DTSS_DATA_DIR. Any failure exits non-zero; a run
# that collects no tests (pytest exit code 5) is a failure too.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

SQLITE_ONLY=0
if [ "${1:-}" = "--sqlite-only" ]; then
    SQLITE_ONLY=1
    shift
fi
PG_URL="${DTSS_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/dtss}"

export PIP_DISABLE_PIP_VERSION_CHECK=1
export SE_AVOID_STATS=true  # Selenium: no usage statistics, no network

step() { printf '\n==> %s\n' "$*"; }

# every temporary data directory lives under one directory, removed on exit
TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/dtss-test-XXXXXX")
trap 'rm -rf "$TMP_ROOT"' EXIT
new_data_dir() { mktemp -d "$TMP_ROOT/data-XXXXXX"; }

# --- 1. virtualenv ----------------------------------------------------------------------
PY=$(bash scripts/find-python.sh)
VENV="$ROOT/.venv"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c \
        'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
    step "Reusing $VENV ($("$VENV/bin/python" --version))"
else
    step "Creating $VENV with $PY ($("$PY" --version))"
    "$PY" -m venv --clear "$VENV"
fi
step "Installing the project with its test dependencies"
"$VENV/bin/python" -m pip install --quiet -e ".[test]"

# --- 2. translations --------------------------------------------------------------------
if ! command -v msgfmt >/dev/null 2>&1; then
    step "Compiling messages: SKIPPED (gettext's msgfmt is not installed; using the committed .mo files)"
elif ! find src/dtss -name '*.po' -print -quit | grep -q .; then
    step "Compiling messages: nothing to compile (no .po files under src/dtss)"
else
    step "Compiling messages"
    # run inside src/dtss so that compilemessages only walks the project's own locale dirs
    (cd src/dtss && DTSS_DATA_DIR="$(new_data_dir)" "$VENV/bin/dtss" manage compilemessages)
fi

# --- 3. lint ----------------------------------------------------------------------------
step "ruff check src"
"$VENV/bin/ruff" check src

# --- 4. tests ---------------------------------------------------------------------------
CPUS=$(nproc 2>/dev/null || echo 1)
WORKERS="${DTSS_TEST_WORKERS:-$(( CPUS > 4 ? 4 : CPUS ))}"
XDIST=()
if [ "$WORKERS" -gt 1 ]; then
    XDIST=(-n "$WORKERS")
fi

run_pytest() {
    local label=$1 url=$2
    shift 2
    local data_dir rc
    data_dir=$(new_data_dir)
    step "pytest on $label (DTSS_DATA_DIR=$data_dir)"
    set +e
    if [ -n "$url" ]; then
        env DTSS_DATA_DIR="$data_dir" DTSS_DATABASE_URL="$url" \
            "$VENV/bin/python" -m pytest --create-db "${XDIST[@]}" "$@"
    else
        env -u DTSS_DATABASE_URL DTSS_DATA_DIR="$data_dir" \
            "$VENV/bin/python" -m pytest --create-db "${XDIST[@]}" "$@"
    fi
    rc=$?
    set -e
    if [ "$rc" -eq 5 ]; then
        echo "FAILED: pytest on $label collected no tests (exit code 5)." >&2
        exit 5
    elif [ "$rc" -ne 0 ]; then
        echo "FAILED: pytest on $label exited with code $rc." >&2
        exit "$rc"
    fi
    echo "OK: pytest on $label passed."
}

run_pytest SQLite "" "$@"
if [ "$SQLITE_ONLY" -eq 1 ]; then
    step "PostgreSQL run skipped (--sqlite-only)"
else
    if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -d "$PG_URL"; then
        echo "FAILED: PostgreSQL is not reachable at $PG_URL" \
             "(start it, set DTSS_TEST_POSTGRES_URL, or pass --sqlite-only)." >&2
        exit 1
    fi
    run_pytest PostgreSQL "$PG_URL" "$@"
fi
step "All checks passed."
