#!/usr/bin/env bash
# Every check CI runs; arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/install.sh --browser
"${uv[@]}" run --frozen --no-sync python -m contracts.schemagen --check
"${uv[@]}" run --frozen --no-sync python -m localrun openapi --check
"${uv[@]}" run --frozen --no-sync python -m localrun manifests --check
"${uv[@]}" run --frozen --no-sync ruff check --quiet .
"${uv[@]}" run --frozen --no-sync ruff format --check --quiet .
"${uv[@]}" run --frozen --no-sync lint-imports --no-cache
(cd web && "${uv[@]}" run --frozen --no-sync npm run --silent test)

status=0
"${uv[@]}" run --frozen --no-sync pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure here" >&2
    exit 1
fi
exit "$status"
