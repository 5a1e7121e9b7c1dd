"""Chaos at 20,000 rows (issue 11), run once: `uv run python tests/benchmarks/bench_chaos.py [--rows 20000]`.

Starts the whole platform as `deploy/up.sh` does (its own data directory and databases), then runs the scenario
of tests/e2e/test_chaos.py (tests/support/chaos.py) with a 20,000-row Excel import and its bulk approval:
SIGKILL of the members API mid-import; of the members relay and the reporting, cards and dues consumers during
half the approvals; of the broker during the rest (the runner restarts it, refills it from the outboxes and
restarts every Kafka client). Prints how long each program took to come back and the platform to converge
(every read model equal to the members table, nothing unpublished), the inbox counts and the client's view.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from localrun.client import PasswordSession, gateway_client  # noqa: E402
from localrun.platform import Platform  # noqa: E402

from tests.support import chaos  # noqa: E402
from tests.support.infra import drop_databases, free_port_block, postgres_url  # noqa: E402

PREFIX = "bench_chaos_"


async def run(rows: int, server: str) -> None:
    data_dir = ROOT / ".data" / "bench_chaos"
    shutil.rmtree(data_dir, ignore_errors=True)
    base = free_port_block()
    platform = Platform(
        data_dir,
        base_port=base,
        broker_port=base + 390,
        database_url=server,
        demo_data=False,
        database_prefix=PREFIX,
        ready_timeout=420,
    )
    started = time.monotonic()
    await asyncio.to_thread(platform.start)
    print(f"platform ready in {time.monotonic() - started:.0f} s (ports {base}…)", flush=True)
    try:
        auth = PasswordSession("admin", "Admin@12345")
        async with gateway_client(platform.gateway_url, timeout=600, auth=auth) as admin:
            figures = await chaos.run(platform, admin, rows, serial_base=100_000, timeout=1200)
    finally:
        await asyncio.to_thread(platform.stop)
        await drop_databases(server, prefix=PREFIX)
    print(f"\n{figures.rows:,} rows; {figures.members:,} members; {figures.member_events:,} member events")
    print(chaos.markdown(figures))
    print(f"\ninboxes (rows, distinct events) of the members' events: {figures.inbox}")
    print(
        f"client: {figures.requests} requests, {figures.refused_while_down} refused while down, "
        f"{len(figures.server_errors)} other 5xx {figures.server_errors[:3]}"
    )
    if figures.inbox != {s: (figures.member_events,) * 2 for s in chaos.CONSUMERS} or figures.server_errors:
        raise SystemExit("chaos: counts differ or the client saw a 5xx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    asyncio.run(run(args.rows, postgres_url()))


if __name__ == "__main__":
    main()
