"""Photos stored before `members.photo.v1` existed, sent to cards once: the members with a photo are read a chunk
at a time in member id order (one query), each chunk's photos read from the store one at a time and their events
written with one COPY, in a transaction per chunk, so a stopped run resumes with `--after` the last id it printed.
Running it twice is harmless: cards keeps a photo only for a newer version (an equal one changes nothing)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import UUID

from chassis.database import Database
from chassis.outbox import record_events

from members.adapters.bulk_members import BulkMemberRepository
from members.adapters.photo_store import PhotoStore
from members.application.photos import photo_event

CHUNK = 500


async def republish_photos(
    database: Database,
    store: PhotoStore,
    after: UUID | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int, UUID], None] | None = None,
) -> int:
    """Record a `PhotoStored` for every member with a photo (after `after`); returns how many were recorded."""
    recorded = 0
    while True:
        async with database.transaction() as session:
            versions = await BulkMemberRepository(session).photo_versions_after(after, chunk)
            if not versions:
                return recorded
            events = []
            for member_id, version in versions.items():
                portrait = await asyncio.to_thread(store.get, member_id)
                if portrait is not None:
                    events.append(await asyncio.to_thread(photo_event, member_id, version, portrait))
            await record_events(session, events)
        recorded += len(events)
        after = max(versions)
        if progress is not None:
            progress(recorded, after)
