"""The one LISTEN/NOTIFY wake-up of a background loop: the outbox relay, members' import worker.

A loop does its work, then waits until a transaction that gave it more work commits (`NOTIFY <channel>`, sent by
a trigger or by the writer) or until `interval` seconds have passed, whichever comes first. LISTEN holds a
connection of its own; when it cannot be opened the loop still runs, polling every `interval` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType

import asyncpg

from chassis.database import asyncpg_dsn

log = logging.getLogger(__name__)


class Wakeup:
    def __init__(self, database_url: str, channel: str, interval_s: float) -> None:
        self.database_url, self.channel, self.interval_s = database_url, channel, interval_s
        self._event = asyncio.Event()
        self._listener: asyncpg.Connection | None = None

    async def __aenter__(self) -> Wakeup:
        try:
            self._listener = await asyncpg.connect(asyncpg_dsn(self.database_url))
            await self._listener.add_listener(self.channel, lambda *_: self._event.set())
        except (OSError, asyncpg.PostgresError) as error:
            log.warning(
                "LISTEN unavailable; polling only", extra={"fields": {"channel": self.channel, "error": repr(error)}}
            )
            await self._close()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self._close()

    def set(self) -> None:
        """Wake the loop now (to stop it, or because the process itself made work)."""
        self._event.set()

    async def wait(self) -> None:
        """Until a notification (or `set`) arrived since the last wait, or `interval_s` passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=self.interval_s)
        self._event.clear()

    async def _close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            await listener.close(timeout=2)
