"""SQL of the card faces made in the background: the jobs, their parts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, unscoped
from contracts.permissions import Permission
from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.repository import newest_first
from cards.adapters.tables import face_jobs, face_parts


class FaceJobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict) -> Row:
        return (await self.session.execute(insert(face_jobs).values(**values).returning(face_jobs))).one()

    async def get(self, principal: Principal, order_id: UUID, job_id: UUID) -> Row | None:
        query = select(face_jobs).where(face_jobs.c.job_id == job_id, face_jobs.c.order_id == order_id)
        query = restrict_to_scope(query, principal, Permission.CARDS_READ, face_jobs.c.unit_id)
        return (await self.session.execute(query)).one_or_none()

    async def page(self, principal: Principal, order_id: UUID, after: tuple | None, limit: int) -> list[Row]:
        """The order's jobs newest first, keyset-paged on (requested_at, job_id)."""
        query = select(face_jobs).where(face_jobs.c.order_id == order_id)
        query = newest_first(query, face_jobs.c.requested_at, face_jobs.c.job_id, after, limit)
        query = restrict_to_scope(query, principal, Permission.CARDS_READ, face_jobs.c.unit_id)
        return list(await self.session.execute(query))

    @unscoped("the worker makes the faces of every unit's orders; no principal is involved")
    async def claim_next(self) -> Row | None:
        """The oldest unfinished job, locked until commit, unless another worker holds it."""
        return (
            await self.session.execute(
                select(face_jobs)
                .where(face_jobs.c.state.in_(("queued", "running")))
                .order_by(face_jobs.c.requested_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).one_or_none()

    @unscoped("the worker's job, claimed above")
    async def add_part(
        self, job: Row, part: int, cards: int, pdf: bytes, last_card_id: UUID, finished: bool, part_size: int
    ) -> None:
        await self.session.execute(insert(face_parts).values(job_id=job.job_id, part=part, cards=cards, pdf=pdf))
        await self.session.execute(
            update(face_jobs)
            .where(face_jobs.c.job_id == job.job_id)
            .values(
                done=face_jobs.c.done + cards,
                parts=part,
                after_card_id=last_card_id,
                part_size=part_size,
                state="ready" if finished else "running",
                finished_at=func.now() if finished else None,
            )
        )

    @unscoped("the worker's job, claimed above")
    async def finish(self, job_id: UUID, state: str, error: str | None = None) -> None:
        await self.session.execute(
            update(face_jobs)
            .where(face_jobs.c.job_id == job_id)
            .values(state=state, error=error, finished_at=func.now())
        )

    async def part_sizes(self, job_id: UUID) -> list[Row]:
        return list(
            await self.session.execute(
                select(face_parts.c.part, face_parts.c.cards, func.length(face_parts.c.pdf).label("bytes"))
                .where(face_parts.c.job_id == job_id)
                .order_by(face_parts.c.part)
            )
        )

    async def part(self, job_id: UUID, part: int) -> bytes | None:
        return await self.session.scalar(
            select(face_parts.c.pdf).where(face_parts.c.job_id == job_id, face_parts.c.part == part)
        )

    async def parts(self, job_id: UUID, count: int) -> AsyncIterator[tuple[int, bytes]]:
        """Each part's PDF in turn, one row in memory at a time."""
        for number in range(1, count + 1):
            yield number, await self.part(job_id, number)
