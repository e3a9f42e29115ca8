#!/usr/bin/env bash
# Print the path of a Python >= 3.12 that really runs and can create a virtualenv, or fail.
#
# Order: $DTSS_PYTHON if set; pyenv installs (/root/.pyenv and ~/.pyenv, newest first);
# then python3.13, python3.12 and python3 on PATH. A pyenv shim that is on PATH but not
# selected fails when run, so every candidate is run once before it is chosen.
# Used by scripts/test.sh, scripts/demo.sh and .ci/run.
set -euo pipefail

works() {
    [ -n "$1" ] && "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12))' \
        >/dev/null 2>&1
}

candidates=()
if [ -n "${DTSS_PYTHON:-}" ]; then
    candidates+=("$DTSS_PYTHON")
fi
for root in /root/.pyenv "${HOME:-/nonexistent}/.pyenv" "${PYENV_ROOT:-/nonexistent}"; do
    # the highest 3.12.x first (what CI uses), then 3.13.x
    for p in $(ls -d "$root"/versions/3.12*/bin/python3.12 2>/dev/null | sort -rV) \
             $(ls -d "$root"/versions/3.13*/bin/python3.13 2>/dev/null | sort -rV); do
        candidates+=("$p")
    done
done
for name in python3.13 python3.12 python3; do
    if p=$(command -v "$name" 2>/dev/null); then
        candidates+=("$p")
    fi
done

for p in "${candidates[@]}"; do
    if works "$p"; then
        echo "$p"
        exit 0
    fi
done

{
    echo "ERROR: no Python >= 3.12 with venv/ensurepip found."
    echo "  Tried: ${candidates[*]:-(nothing)}"
    echo "  Install one (e.g. 'pyenv install 3.12') or set DTSS_PYTHON=/path/to/python3.12."
} >&2
exit 1
