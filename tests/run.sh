#!/usr/bin/env bash
# Every check CI runs; arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v uv >/dev/null 2>&1; then
    uv=(uv)
else
    python3 -m pip install --quiet uv==0.13.9
    uv=(python3 -m uv)  # pip's script directory may not be on PATH
fi
bash deploy/system-packages.sh
"${uv[@]}" sync --frozen --all-packages
"${uv[@]}" run --frozen python -m contracts.schemagen --check

status=0
"${uv[@]}" run --frozen pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure here" >&2
    exit 1
fi
exit "$status"
