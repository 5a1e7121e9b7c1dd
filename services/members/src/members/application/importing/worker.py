"""The members background worker: imports and suspensions that end on their own date.

Started with the API process (one per replica; they share work through advisory locks).
It wakes on `NOTIFY member_imports` (sent in the upload's transaction) or every
`worker_poll_interval_s`, which is also how often due suspensions are resumed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from chassis.database import Database
from chassis.wakeup import Wakeup
from contracts.wellknown import vietnamese_today

from members.application.importing.processor import ImportProcessor
from members.application.lifecycle import resume_due_suspensions
from members.config import MembersSettings

log = logging.getLogger(__name__)


class MembersWorker:
    def __init__(self, database: Database, settings: MembersSettings) -> None:
        self.database, self.settings = database, settings
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run_once(self) -> None:
        async with self.database.transaction() as session:
            resumed = await resume_due_suspensions(session, vietnamese_today())
        if resumed:
            log.info("suspensions ended", extra={"fields": {"members": resumed}})
        await ImportProcessor(self.database, self.settings).run_once()

    async def _run(self) -> None:
        async with Wakeup(self.database.url, "member_imports", self.settings.worker_poll_interval_s) as wakeup:
            while True:
                try:
                    await self.run_once()
                except Exception:  # keep the loop alive; the import stays claimable and is retried
                    log.exception("members worker step failed")
                await wakeup.wait()
