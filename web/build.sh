#!/usr/bin/env bash
# Builds the web app into web/dist when its sources changed since the last build; `npm ci` only when the lock
# file changed. Run inside the workspace environment (`uv run`), whose venv may provide Node (deploy/install.sh).
set -euo pipefail
cd "$(dirname "$0")"

lock_stamp=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.ci-stamp 2>/dev/null)" != "$lock_stamp" ]; then
    echo "web: npm ci (node $(node --version))"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_stamp" > node_modules/.ci-stamp
fi

source_stamp=$( { echo "$lock_stamp"; find src public index.html vite.config.ts tsconfig*.json ../contracts/openapi \
    -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)
if [ "$(cat dist/.build-stamp 2>/dev/null)" != "$source_stamp" ]; then
    echo "web: building"
    npm run --silent gen:api
    npm run --silent build
    echo "$source_stamp" > dist/.build-stamp
fi
