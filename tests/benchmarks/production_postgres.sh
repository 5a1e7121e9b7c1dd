#!/usr/bin/env bash
# A PostgreSQL server configured like production (deploy/production/postgresql.conf), on its own port and data
# directory, for the benchmarks: the shared development server runs PostgreSQL's defaults, which no production
# server of the registry would. Memory lines are scaled to this machine (a quarter of RAM for shared buffers).
#   bash tests/benchmarks/production_postgres.sh start|stop|status
#   DATABASE_URL=postgresql://postgres@127.0.0.1:5433/postgres uv run python tests/benchmarks/bench_members.py
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${BENCH_PG_PORT:-5433}"
bin="${PG_BIN:-$(pg_config --bindir)}"
data="${BENCH_PG_DATA:-/var/tmp/registry-bench-pg}"
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
start)
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres "$data"
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  ram_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
  cp deploy/production/postgresql.conf "$data/production.conf"
  cat > "$data/postgresql.auto.conf" <<CONF
include = 'production.conf'
port = $port
listen_addresses = '127.0.0.1'
shared_buffers = '$((ram_mb / 4))MB'
effective_cache_size = '$((ram_mb * 3 / 4))MB'
CONF
  [ "$(id -u)" = 0 ] && chown postgres "$data/production.conf" "$data/postgresql.auto.conf"
  as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w start >/dev/null
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
  ;;
stop) as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop ;;
status) as_owner "$bin/pg_ctl" -D "$data" status ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
