"""One engine and session factory per process; transactions are the unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


class Database:
    def __init__(self, url: str, pool_size: int = 10, server_settings: Mapping[str, str] | None = None) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            pool_pre_ping=True,
            # A generic plan for a scope filter hashes every unit in the country (2 ms becomes 300 ms);
            # custom plans see the actual subtree roots. A service may set more of its sessions' settings.
            connect_args={"server_settings": {"plan_cache_mode": "force_custom_plan", **(server_settings or {})}},
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed when the block ends, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def is_ready(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("select 1"))
            return True
        except Exception:  # readiness reports any failure as "not ready"
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()


async def raw_connection(session: AsyncSession):
    """The session's asyncpg connection inside the session's transaction, for COPY and bulk statements."""
    connection = await session.connection()
    # SQLAlchemy's asyncpg driver sends BEGIN with the session's first statement; work done on the raw
    # connection goes round it, so a COPY that came first would run (and commit) on its own. A statement first.
    await connection.exec_driver_sql("SELECT 1")
    return (await connection.get_raw_connection()).driver_connection


def asyncpg_dsn(url: str) -> str:
    """The same URL in the form asyncpg's raw connections accept (for LISTEN and COPY)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def database_on_server(server_url: str, name: str) -> str:
    """The SQLAlchemy asyncpg URL of database `name` on the server at `server_url`.

    Parsed, not spliced: an embedded server is reached through a socket given as `?host=/dir`,
    which string surgery on the last '/' would cut.
    """
    url = make_url(server_url.replace("+asyncpg", "", 1))
    return url.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
