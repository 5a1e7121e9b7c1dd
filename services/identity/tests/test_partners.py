"""The partner catalogue: the national centre registers banks; a client speaks only for a known, active one."""

from __future__ import annotations

from chassis.tables import outbox_events
from contracts.events.identity_partner_v1 import PartnerChanged
from contracts.wellknown import NATIONAL_CENTRE_ID, VIETINBANK_PARTNER_CODE, VIETINBANK_PARTNER_ID
from sqlalchemy import select

from .test_users_api import officer

API = "/api/v1/identity"


async def partner_events(identity, partner_id) -> list[dict]:
    async with identity.db.transaction() as session:
        rows = await session.execute(
            select(outbox_events.c.payload)
            .where(outbox_events.c.topic == PartnerChanged.topic_name, outbox_events.c.message_key == str(partner_id))
            .order_by(outbox_events.c.id)
        )
    return [PartnerChanged.model_validate_json(row.payload).partner.model_dump(mode="json") for row in rows]


async def test_vietinbank_issues_the_linked_cards_of_the_whole_tree_from_the_start(identity):
    listed = await identity.http.get(f"{API}/partners", headers=await identity.admin())
    assert listed.status_code == 200, listed.text
    [ctg] = [p for p in listed.json() if p["partner_code"] == VIETINBANK_PARTNER_CODE]
    assert (ctg["partner_id"], ctg["linked_cards_unit_id"], ctg["status"], ctg["version"]) == (
        str(VIETINBANK_PARTNER_ID),
        str(NATIONAL_CENTRE_ID),
        "active",
        1,
    )
    assert [e["version"] for e in await partner_events(identity, VIETINBANK_PARTNER_ID)] == [1]


async def test_a_bank_registered_for_a_province_is_announced_and_may_then_have_clients(identity):
    admin = await identity.admin()
    client = {
        "name": "Agribank – thẻ liên kết",
        "kind": "bank",
        "unit_id": str(identity.units["HCM"]),
        "partner_code": "VBA",
        "scopes": ["cards.issuance:read"],
        "rate_limit_per_minute": 60,
    }
    refused = await identity.http.post(f"{API}/clients", json=client, headers=admin)
    assert refused.status_code == 422 and refused.json()["code"] == "unknown-partner", refused.text

    registered = await identity.http.put(
        f"{API}/partners/VBA",
        headers=admin,
        json={"name": "Ngân hàng Nông nghiệp (Agribank)", "linked_cards_unit_id": str(identity.units["HCM"])},
    )
    assert registered.status_code == 200, registered.text
    vba = registered.json()
    assert (vba["linked_cards_unit_id"], vba["version"]) == (str(identity.units["HCM"]), 1)
    created = await identity.http.post(f"{API}/clients", json=client, headers=admin)
    assert created.status_code == 201, created.text

    disabled = await identity.http.put(
        f"{API}/partners/VBA",
        headers=admin,
        json={"name": "Ngân hàng Nông nghiệp (Agribank)", "linked_cards_unit_id": None, "status": "disabled"},
    )
    assert disabled.json()["version"] == 2
    assert [
        (e["version"], e["status"], e["linked_cards_unit_id"])
        for e in await partner_events(identity, vba["partner_id"])
    ] == [(1, "active", str(identity.units["HCM"])), (2, "disabled", None)]
    again = await identity.http.post(f"{API}/clients", json=client, headers=admin)
    assert again.status_code == 422 and again.json()["code"] == "unknown-partner", again.text


async def test_only_the_national_centre_keeps_the_catalogue_and_bad_input_changes_nothing(identity):
    _, hanoi_admin = await officer(identity, "HNI")
    admin = await identity.admin()
    before = (await identity.http.get(f"{API}/partners", headers=admin)).json()
    cases = [
        (hanoi_admin, "MB", {"name": "Ngân hàng Quân đội"}, 403, "out-of-scope", "unit_id"),
        (admin, "mb-1", {"name": "Ngân hàng Quân đội"}, 422, "invalid-input", "partner_code"),
        (
            admin,
            "MB",
            {"name": "Ngân hàng Quân đội", "linked_cards_unit_id": "00000000-0000-4000-8000-00000000dead"},
            404,
            "unit-not-found",
            "linked_cards_unit_id",
        ),
        (admin, "MB", {"name": "Ngân hàng Quân đội", "status": "paused"}, 422, "invalid-input", "status"),
    ]
    for headers, code, body, status, problem, field in cases:
        response = await identity.http.put(f"{API}/partners/{code}", json=body, headers=headers)
        assert response.status_code == status, (code, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert (response.json()["code"], response.json().get("field")) == (problem, field), response.json()
    assert (await identity.http.get(f"{API}/partners", headers=admin)).json() == before
