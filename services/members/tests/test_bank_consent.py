"""A member's consent to share ID number, date of birth and phone with the bank issuing their linked card."""

from __future__ import annotations

import json
from datetime import date, timedelta
from uuid import UUID

from chassis.tables import outbox_events
from contracts.wellknown import vietnamese_today
from sqlalchemy import select

from services.members.tests.conftest import assert_problem


async def bank_identity_events(registry, member_id) -> list[tuple[str, dict]]:
    async with registry.db.transaction() as session:
        rows = await session.execute(
            select(outbox_events.c.event_type, outbox_events.c.payload)
            .where(outbox_events.c.message_key == str(member_id), outbox_events.c.topic == "members.bank_identity.v1")
            .order_by(outbox_events.c.id)
        )
    return [(kind, payload if isinstance(payload, dict) else json.loads(payload)) for kind, payload in rows]


async def test_consent_shares_the_data_with_cards_only_while_it_holds(registry):
    member = await registry.approved("HNI-2")
    path = f"/api/v1/members/members/{member['member_id']}/bank-consent"
    officer = registry.as_("unit_admin", "HNI")
    given = await registry.http.put(path, json={"given_on": "2026-11-30"}, headers=officer)
    assert given.status_code == 200, given.text
    assert given.json()["bank_consent_on"] == "2026-11-30"
    row = await registry.row(member["member_id"])
    assert row["bank_consent_on"] == date(2026, 11, 30)

    # Correcting the phone while the consent holds sends the bank's copy again; other corrections do not.
    corrected = await registry.http.patch(
        f"/api/v1/members/members/{member['member_id']}",
        headers=officer,
        json={"changes": {"phone": "0987654321"}, "reason": "Số mới"},
    )
    assert corrected.status_code == 200, corrected.text
    await registry.http.patch(
        f"/api/v1/members/members/{member['member_id']}",
        headers=officer,
        json={"changes": {"hometown": "Nam Định"}, "reason": "Bổ sung quê quán"},
    )
    withdrawn = await registry.http.delete(path, headers=officer)
    assert withdrawn.status_code == 200 and withdrawn.json()["bank_consent_on"] is None

    events = await bank_identity_events(registry, member["member_id"])
    assert [kind for kind, _ in events] == [
        "members.bank_identity.shared",
        "members.bank_identity.shared",
        "members.bank_identity.withdrawn",
    ]
    first, second, last = (payload for _, payload in events)
    assert (first["id_number"], first["phone"], first["consent_given_on"]) == (
        row["id_number"],
        "0912345678",
        "2026-11-30",
    )
    assert second["phone"] == "0987654321" and second["version"] > first["version"]
    assert last["version"] > second["version"] and "id_number" not in last
    assert "members.member.updated" in await registry.events_of(member["member_id"])


async def test_bad_consent_is_refused_and_changes_nothing(registry):
    member = await registry.approved("HNI-2")
    path = f"/api/v1/members/members/{member['member_id']}/bank-consent"
    officer = registry.as_("unit_admin", "HNI")
    before = await registry.counts()
    tomorrow = (vietnamese_today() + timedelta(days=2)).isoformat()
    assert_problem(
        await registry.http.put(path, json={"given_on": tomorrow}, headers=officer), 422, "future-date", "given_on"
    )
    assert_problem(await registry.http.delete(path, headers=officer), 422, "nothing-changed", "given_on")
    other = await registry.http.put(path, json={"given_on": "2026-11-30"}, headers=registry.as_("unit_admin", "HCM"))
    assert other.status_code == 404 and other.headers["content-type"].startswith("application/problem+json")
    unknown = f"/api/v1/members/members/{UUID(int=7)}/bank-consent"
    assert (await registry.http.put(unknown, json={"given_on": "2026-11-30"}, headers=officer)).status_code == 404
    assert await registry.counts() == before
