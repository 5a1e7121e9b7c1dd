#!/usr/bin/env bash
# The whole platform on this machine: PostgreSQL, the development broker, every service and the web app.
# Options go to `python -m localrun up` (--base-port, --broker-port, --no-demo-data).
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/install.sh
exec "${uv[@]}" run --frozen --no-sync python -m localrun up "$@"
