"""Fixtures of the cards service tests: a migrated database with a small tree and members fed as events."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from cards.adapters.tables import card_history, cards, issuance_feed
from cards.config import CardsSettings
from cards.entrypoints.api import create_app
from cards.entrypoints.consumers import (
    apply_bank_identity,
    apply_member_change,
    apply_partner_change,
    feed_card_steps,
)
from chassis.database import Database
from chassis.tables import outbox_events
from contracts.envelope import Envelope
from contracts.events.identity_partner_v1 import PartnerChanged, PartnerSnapshot
from contracts.events.members_bank_identity_v1 import BankIdentityShared, BankIdentityWithdrawn
from contracts.events.members_member_v1 import MemberApproved, MemberCreated, MemberSnapshot, MemberTransferred
from sqlalchemy import func, select

from tests.support.services import (
    TEST_SECRET,
    client,
    headers_for,
    migrated_database,
    principal,
    replicate_small_tree,
    replicate_unit,
)

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "cards" / "migrations"
_codes = itertools.count(1)


@pytest.fixture(scope="module")
async def office(pg_server_url):
    url = await migrated_database(pg_server_url, "cards", MIGRATIONS)
    database = Database(url, 4)
    units = await replicate_small_tree(database, provinces_order_cards=True)
    settings = CardsSettings(
        database_url=url, internal_token_secret=TEST_SECRET, public_verify_base_url="https://congdoan.example/the/"
    )
    async with client(create_app, settings) as http:
        yield CardOffice(http, database, units)
    await database.dispose()


class CardOffice:
    def __init__(self, http, database: Database, units: dict[str, UUID]) -> None:
        self.http, self.db, self.units = http, database, units

    async def province(self, code: str) -> str:
        """A province of its own (may order cards) with two grassroots units, `<code>-A` and `<code>-B`."""
        self.units[code] = await replicate_unit(
            self.db, code, self.units["TLD"], "provincial_federation", can_admit=False, can_order_cards=True
        )
        for grassroots in (f"{code}-A", f"{code}-B"):
            self.units[grassroots] = await replicate_unit(self.db, grassroots, self.units[code])
        return code

    def as_(self, role: str, unit: str) -> dict[str, str]:
        return headers_for(principal(role, self.units[unit], f"{role}@{unit}"))

    async def deliver(self, event) -> None:
        async with self.db.transaction() as session:
            await apply_member_change(session, event, None)

    async def partner(
        self, partner_id: UUID, code: str, unit: str | None, version: int, status: str = "active"
    ) -> None:
        """identity announces a partner: the bank issuing the linked cards of `unit`'s subtree."""
        snapshot = PartnerSnapshot(
            partner_id=partner_id,
            partner_code=code,
            name=f"Ngân hàng {code}",
            linked_cards_unit_id=self.units[unit] if unit else None,
            status=status,
            version=version,
        )
        async with self.db.transaction() as session:
            await apply_partner_change(session, PartnerChanged(partner_id=partner_id, partner=snapshot), None)

    async def member(
        self, unit: str, *, approved: bool = True, card_type: str | None = None, consent: bool = True, photo=True
    ) -> UUID:
        """A member as the members service announces it: created, then (usually) approved with a code (and a photo
        unless `photo` is false), and (unless `consent` is false) consenting to share ID number, date of birth and
        phone with the bank."""
        member_id = uuid.uuid4()
        await self.deliver(MemberCreated(member_id=member_id, member=snapshot(member_id, self.units[unit], "pending")))
        if approved:
            await self.deliver(
                MemberApproved(
                    member_id=member_id,
                    member=snapshot(
                        member_id,
                        self.units[unit],
                        "active",
                        version=2,
                        card_type=card_type,
                        member_code=f"79{next(_codes):08d}",
                        photo=photo,
                    ),
                )
            )
        if consent:
            await self.consent(member_id, version=3)
        return member_id

    async def consent(self, member_id: UUID, version: int, *, withdrawn: bool = False) -> None:
        """members announces the member's consent (with the data the bank may have) or its withdrawal."""
        event = (
            BankIdentityWithdrawn(member_id=member_id, version=version)
            if withdrawn
            else BankIdentityShared(
                member_id=member_id,
                version=version,
                id_kind="cccd",
                id_number=f"0011920{version:05d}",
                date_of_birth=date(1992, 3, 4),
                phone="0912345678",
                consent_given_on=date(2026, 11, 30),
            )
        )
        async with self.db.transaction() as session:
            await apply_bank_identity(session, event, None)

    async def transfer(self, member_id: UUID, to_unit: str, version: int) -> None:
        holder = await self.holder(member_id)
        await self.deliver(
            MemberTransferred(
                member_id=member_id,
                from_unit_id=holder["unit_id"],
                to_unit_id=self.units[to_unit],
                member=snapshot(
                    member_id, self.units[to_unit], "active", version=version, member_code=holder["member_code"]
                ),
            )
        )

    async def holder(self, member_id: UUID) -> dict:
        from cards.adapters.tables import card_holders

        async with self.db.transaction() as session:
            row = (await session.execute(select(card_holders).where(card_holders.c.member_id == member_id))).one()
        return dict(row._mapping)

    async def request(self, member_ids: list[UUID], unit: str = "HNI-A", **body) -> dict:
        response = await self.http.post(
            "/api/v1/cards/requests",
            json={"member_ids": [str(m) for m in member_ids]} | body,
            headers=self.as_("card_officer", unit),
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def correct(self, card_id: str, status: str, unit: str = "HNI", reason: str = "Sửa sai sót") -> dict:
        """Withdraw a request (cancelled) or revoke a card (revoked), with a reason."""
        response = await self.http.post(
            f"/api/v1/cards/cards/{card_id}/status",
            json={"status": status, "reason": reason},
            headers=self.as_("card_officer", unit),
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def confirm(self, order_id: str, unit: str, step: str, **body) -> dict:
        """A unit's confirmation of its own part of an order on the way down: `received` or `handed-down`."""
        response = await self.http.post(
            f"/api/v1/cards/print-orders/{order_id}/{step}",
            json={"unit_id": str(self.units[unit]), **body},
            headers=self.as_("card_officer", unit),
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def through_order(self, province: str, kind: str = "regular", *, received_by: str | None = None) -> dict:
        """The one way to printed (and delivered): the province orders its requested cards of the kind, the national
        centre marks the order printed, and (if `received_by` is given) the province receives them and hands them
        down to `received_by`, which confirms them."""
        placed = await self.http.post(
            "/api/v1/cards/print-orders",
            json={"unit_id": str(self.units[province]), "kind": kind},
            headers=self.as_("card_officer", province),
        )
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["order_id"]
        printed = await self.http.post(
            f"/api/v1/cards/print-orders/{order_id}/printed", headers=self.as_("card_officer", "TLD")
        )
        assert printed.status_code == 200, printed.text
        if received_by is not None:
            await self.confirm(order_id, province, "received")
            if received_by != province:
                await self.confirm(order_id, province, "handed-down", to_unit_id=str(self.units[received_by]))
                await self.confirm(order_id, received_by, "received")
        return printed.json()

    async def feed_the_banks(self) -> None:
        """What cards' consumer does with its own card events once the relay published them: the steps not yet
        in the banks' feed, in outbox order (test_issuance_under_load.py runs the real relay and consumer)."""
        async with self.db.transaction() as session:
            fed = select(issuance_feed.c.event_id)
            rows = (
                await session.execute(
                    select(outbox_events)
                    .where(outbox_events.c.topic == "cards.card.v1", outbox_events.c.event_id.not_in(fed))
                    .order_by(outbox_events.c.id)
                )
            ).all()
            envelopes = [
                Envelope(
                    id=r.event_id,
                    source="cards",
                    type=r.event_type,
                    time=r.occurred_at,
                    subject=r.message_key,
                    data=r.payload.encode(),
                )
                for r in rows
            ]
            await feed_card_steps(session, [envelope.decode() for envelope in envelopes], envelopes)

    async def counts(self) -> tuple[int, int, int]:
        async with self.db.transaction() as session:
            return tuple(
                [
                    await session.scalar(select(func.count()).select_from(t))
                    for t in (cards, card_history, outbox_events)
                ]
            )

    async def events(self, member_id: UUID) -> list[tuple[str, str]]:
        async with self.db.transaction() as session:
            rows = await session.execute(
                select(outbox_events.c.event_type, outbox_events.c.payload)
                .where(outbox_events.c.message_key == str(member_id))
                .order_by(outbox_events.c.id)
            )
        return [(row.event_type, row.payload) for row in rows]


def snapshot(member_id, unit_id, status, version=1, card_type=None, member_code=None, photo=True) -> MemberSnapshot:
    return MemberSnapshot(
        has_photo=photo,
        member_id=member_id,
        unit_id=unit_id,
        status=status,
        full_name="Trần Thị Bình",
        gender="female",
        date_of_birth=date(1992, 3, 4),
        version=version,
        card_type=card_type,
        member_code=member_code,
    )


def assert_problem(response, status: int, code: str, field: str | None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert (problem["code"], problem.get("field")) == (code, field), problem
    assert problem["message_vi"] and problem["message_en"]
    return problem
