#!/usr/bin/env bash
# The whole platform on this machine: PostgreSQL, the development broker, every service.
# Options go to `python -m localrun up` (--base-port, --broker-port, --no-demo-data).
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
exec "${uv[@]}" run --frozen python -m localrun up "$@"
