"""The one polling loop of a background worker beside a process (cards' webhook sender, partner topics, card
faces): rounds of work until stopped, resting `interval_s` after a round that found nothing. A failed round is
logged and tried again on the next one: the database or a partner being away must not end the worker. Loops woken
by the database's NOTIFY use `chassis.wakeup` instead."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

log = logging.getLogger(__name__)


class Rounds:
    """Subclasses do one round in `round` (returning whether it found work) and free what they hold in `close`."""

    name = "background"

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def round(self) -> bool | int:
        raise NotImplementedError

    async def close(self) -> None:
        """After the loop has stopped."""

    def start(self) -> None:
        self._task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        await self.close()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                worked = await self.round()
            except Exception:
                log.exception("background round failed", extra={"fields": {"worker": self.name}})
                worked = False
            if not worked:
                await self.rest(self.interval_s)

    async def rest(self, seconds: float) -> bool:
        """Wait `seconds`, or less when the worker is being stopped; True when it is."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()
