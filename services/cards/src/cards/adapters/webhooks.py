"""SQL of the partners' signed webhooks: their endpoints, how far each was delivered, the parked steps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from chassis.scope import unscoped
from sqlalchemy import Row, Table, exists, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.tables import issuance_feed, partner_topics, partner_webhooks, webhook_parked

WAITING = ("parked", "retrying")


async def claim_lease(session: AsyncSession, table: Table, partner: str, owner: str, lease_s: float) -> Row | None:
    """Lease an active partner's row of `table` to `owner` for `lease_s` seconds, unless another owner's lease still
    runs (or another is claiming it this very moment: SKIP LOCKED). The row is locked for this statement only; the
    lease, a value, is what keeps others off while its owner waits on an endpoint or the broker."""
    free = table.c.lease_owner.is_(None) | (table.c.lease_owner == owner) | (table.c.lease_until < func.now())
    claimable = (
        select(table.c.partner)
        .where(table.c.partner == partner, table.c.active, free)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        await session.execute(
            update(table)
            .where(table.c.partner == claimable)
            .values(lease_owner=owner, lease_until=func.now() + timedelta(seconds=lease_s))
            .returning(table)
        )
    ).one_or_none()


async def release_lease(session: AsyncSession, table: Table, partner: str, owner: str) -> None:
    await session.execute(
        update(table)
        .where(table.c.partner == partner, table.c.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )


class WebhookRepository:
    """Partners' endpoints are national configuration, not data of a unit: the service checks the caller (national
    centre, or the partner's own client) before it calls any of these."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, partner: str) -> Row | None:
        return (
            await self.session.execute(select(partner_webhooks).where(partner_webhooks.c.partner == partner))
        ).one_or_none()

    async def save(self, values: dict) -> Row:
        statement = pg_insert(partner_webhooks).values(**values)
        changed = {name: statement.excluded[name] for name in values if name not in ("partner", "position")}
        return (
            await self.session.execute(
                statement.on_conflict_do_update(
                    index_elements=[partner_webhooks.c.partner], set_=changed | {"updated_at": func.now()}
                ).returning(partner_webhooks)
            )
        ).one()

    async def set_position(self, partner: str, position: int, by: str) -> Row:
        return (
            await self.session.execute(
                update(partner_webhooks)
                .where(partner_webhooks.c.partner == partner)
                .values(position=position, updated_by=by, updated_at=func.now())
                .returning(partner_webhooks)
            )
        ).one()

    @unscoped("the sender looks at every partner's feed, whatever its unit; nothing of it is read, only whether")
    async def partners_with_work(self) -> list[str]:
        """Active partners with a step after their position or a parked step someone asked to send again: a round
        claims (and releases) only those, not every idle bank every `webhook_poll_s`. One index probe each
        (`issuance_feed_partner_position`, `webhook_parked_waiting`)."""
        feed, hook = issuance_feed.c, partner_webhooks.c
        ahead = exists().where(feed.partner == hook.partner, feed.position > hook.position)
        retrying = exists().where(
            webhook_parked.c.partner == partner_webhooks.c.partner, webhook_parked.c.state == "retrying"
        )
        return list(
            await self.session.scalars(
                select(partner_webhooks.c.partner)
                .where(partner_webhooks.c.active, ahead | retrying)
                .order_by(partner_webhooks.c.partner)
            )
        )

    async def claim(self, partner: str, owner: str, lease_s: float) -> Row | None:
        """Lease the partner's endpoint to `owner` for `lease_s` seconds (see `claim_lease`)."""
        return await claim_lease(self.session, partner_webhooks, partner, owner, lease_s)

    async def advance(self, partner: str, owner: str, lease_s: float, position: int, to: int) -> Row | None:
        """Move the partner's position from `position` to `to` and renew the lease, only while `owner` holds the
        lease and nobody moved the position meanwhile (a replay); None otherwise, and nothing changes."""
        return (
            await self.session.execute(
                update(partner_webhooks)
                .where(
                    partner_webhooks.c.partner == partner,
                    partner_webhooks.c.lease_owner == owner,
                    partner_webhooks.c.position == position,
                )
                .values(position=to, lease_until=func.now() + timedelta(seconds=lease_s))
                .returning(partner_webhooks)
            )
        ).one_or_none()

    async def renew(self, partner: str, owner: str, lease_s: float, position: int) -> Row | None:
        """Keep the lease (between retries of one step) while it is `owner`'s and the position is still `position`."""
        return await self.advance(partner, owner, lease_s, position, position)

    async def release(self, partner: str, owner: str) -> None:
        """Give the lease up (the sender found nothing more to send, or stops): another sender may claim at once."""
        await release_lease(self.session, partner_webhooks, partner, owner)

    async def park(self, partner: str, position: int, event_id: UUID, attempts: int, error: str) -> None:
        statement = pg_insert(webhook_parked).values(
            partner=partner, position=position, event_id=event_id, state="parked", attempts=attempts, last_error=error
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[webhook_parked.c.partner, webhook_parked.c.position],
                set_={
                    "state": "parked",
                    "attempts": webhook_parked.c.attempts + attempts,
                    "last_error": error,
                    "parked_at": func.now(),
                },
            )
        )

    async def retrying(self, partner: str) -> list[Row]:
        return list(
            await self.session.execute(
                select(webhook_parked)
                .where(webhook_parked.c.partner == partner, webhook_parked.c.state == "retrying")
                .order_by(webhook_parked.c.position)
            )
        )

    async def delivered(self, partner: str, position: int, attempts: int) -> None:
        await self.session.execute(
            update(webhook_parked)
            .where(webhook_parked.c.partner == partner, webhook_parked.c.position == position)
            .values(state="delivered", attempts=webhook_parked.c.attempts + attempts, delivered_at=func.now())
        )

    async def parked(self, partner: str, states: Sequence[str], after: tuple | None, limit: int) -> list[Row]:
        query = (
            select(webhook_parked)
            .where(webhook_parked.c.partner == partner, webhook_parked.c.state.in_(states))
            .order_by(webhook_parked.c.position)
            .limit(limit)
        )
        if after is not None:
            query = query.where(tuple_(webhook_parked.c.position) > tuple_(*after))
        return list(await self.session.execute(query))

    async def waiting_count(self, partner: str) -> int:
        return await self.session.scalar(
            select(func.count())
            .select_from(webhook_parked)
            .where(webhook_parked.c.partner == partner, webhook_parked.c.state == "parked")
        )

    @unscoped("a parked step is the partner's, checked by the service before")
    async def lock_parked(self, partner: str, position: int) -> Row | None:
        return (
            await self.session.execute(
                select(webhook_parked)
                .where(webhook_parked.c.partner == partner, webhook_parked.c.position == position)
                .with_for_update()
            )
        ).one_or_none()

    async def request_retry(self, partner: str, position: int, by: str) -> Row:
        return (
            await self.session.execute(
                update(webhook_parked)
                .where(webhook_parked.c.partner == partner, webhook_parked.c.position == position)
                .values(state="retrying", retry_requested_by=by)
                .returning(webhook_parked)
            )
        ).one()


class PartnerTopicRepository:
    """Which partners get their feed on their own topic, and how far it was published."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, partner: str) -> Row | None:
        return (
            await self.session.execute(select(partner_topics).where(partner_topics.c.partner == partner))
        ).one_or_none()

    async def save(self, partner: str, topic: str, active: bool, by: str) -> Row:
        statement = pg_insert(partner_topics).values(partner=partner, topic=topic, active=active, updated_by=by)
        return (
            await self.session.execute(
                statement.on_conflict_do_update(
                    index_elements=[partner_topics.c.partner],
                    set_={"active": active, "updated_by": by, "updated_at": func.now()},
                ).returning(partner_topics)
            )
        ).one()

    async def set_position(self, partner: str, position: int, by: str | None = None) -> Row:
        values = {"position": position} | ({"updated_by": by, "updated_at": func.now()} if by else {})
        return (
            await self.session.execute(
                update(partner_topics)
                .where(partner_topics.c.partner == partner)
                .values(**values)
                .returning(partner_topics)
            )
        ).one()

    async def mark_ready(self, partner: str) -> None:
        await self.session.execute(
            update(partner_topics)
            .where(partner_topics.c.partner == partner, partner_topics.c.topic_ready_at.is_(None))
            .values(topic_ready_at=func.now())
        )

    @unscoped("the publisher looks at every partner's feed, whatever its unit; nothing of it is read, only whether")
    async def partners_with_work(self) -> list[str]:
        """Active partners whose topic is not made yet or with a step after their position."""
        feed, topic = issuance_feed.c, partner_topics.c
        ahead = exists().where(feed.partner == topic.partner, feed.position > topic.position)
        return list(
            await self.session.scalars(
                select(topic.partner)
                .where(topic.active, topic.topic_ready_at.is_(None) | ahead)
                .order_by(topic.partner)
            )
        )

    async def claim(self, partner: str, owner: str, lease_s: float) -> Row | None:
        """Lease the partner's topic to `owner` for `lease_s` seconds (see `claim_lease`)."""
        return await claim_lease(self.session, partner_topics, partner, owner, lease_s)

    async def advance(self, partner: str, owner: str, position: int, to: int) -> bool:
        """Move the position from `position` to `to` only while `owner` holds the lease and nobody moved the position
        meanwhile (a replay wins); False otherwise, and nothing changes."""
        moved = await self.session.execute(
            update(partner_topics)
            .where(
                partner_topics.c.partner == partner,
                partner_topics.c.lease_owner == owner,
                partner_topics.c.position == position,
            )
            .values(position=to)
            .returning(partner_topics.c.partner)
        )
        return moved.one_or_none() is not None

    async def release(self, partner: str, owner: str) -> None:
        await release_lease(self.session, partner_topics, partner, owner)
