#!/usr/bin/env bash
# One-line demo: a .venv with a Python >= 3.12, the project installed, then `dtss demo`.
#   bash scripts/demo.sh [--port 8000] [--reset] [--seed 114]
# `dtss demo` creates ./dtss-data, migrates, loads a generated demo county, prints one
# account per role (and the password) and serves on http://127.0.0.1:8000 until Ctrl-C.
set -euo pipefail

cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
VENV="$(pwd)/.venv"
if ! { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c \
        'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }; then
    PY=$(bash scripts/find-python.sh)
    echo "Creating $VENV with $PY"
    "$PY" -m venv --clear "$VENV"
fi
# (re)install when pyproject.toml changed since the last install
STAMP="$VENV/.dtss-demo-installed"
WANT=$(cksum < pyproject.toml)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ] || ! "$VENV/bin/python" -c 'import dtss' 2>/dev/null; then
    echo "Installing DTSS into $VENV"
    "$VENV/bin/python" -m pip install --quiet -e .
    echo "$WANT" > "$STAMP"
fi
exec "$VENV/bin/dtss" demo "$@"
