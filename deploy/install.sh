#!/usr/bin/env bash
# Everything the platform needs, from nothing: uv, system packages, the locked Python workspace and the built
# web app. Sourced by deploy/up.sh and tests/run.sh; sets `uv` (the command to run uv with).
# `--browser` also installs Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if command -v uv >/dev/null 2>&1; then
    uv=(uv)
else
    python3 -m pip install --quiet uv==0.13.9
    uv=(python3 -m uv)  # pip's script directory may not be on PATH
fi
bash deploy/system-packages.sh "$@"

# The web build needs Node >= 20.19 (Vite 8); without it, Node comes from PyPI into the workspace's venv.
node_group=()
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' >/dev/null 2>&1; then
    node_group=(--group node)
fi
"${uv[@]}" sync --frozen --all-packages "${node_group[@]}"
"${uv[@]}" run --frozen --no-sync bash web/build.sh
