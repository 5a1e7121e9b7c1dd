"""Approval issues a member code; the member then finds their record without logging in, via the gateway."""

from __future__ import annotations

import uuid

from contracts.wellknown import NATIONAL_CENTRE_ID
from localrun.client import gateway_client

from tests.e2e.test_walking_skeleton import create_member, create_unit, pending_count
from tests.support.polling import eventually


async def test_approved_member_looks_up_their_record_anonymously(platform, admin):
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"AP{suffix}", "Liên đoàn Lao động tỉnh Phê duyệt", "provincial_federation", NATIONAL_CENTRE_ID
    )
    grassroots = await create_unit(
        admin, f"AG{suffix}", "Công đoàn cơ sở Công ty Phê duyệt", "grassroots_union", province
    )
    member = await create_member(admin, grassroots, name="Bùi Thị Thu", gender="female", year=1996)

    approved = await admin.post(f"/api/v1/members/members/{member['member_id']}/decision", json={"decision": "approve"})
    assert approved.status_code == 200, approved.text
    code = approved.json()["member_code"]
    assert approved.json()["status"] == "active" and code

    async with gateway_client(platform.gateway_url) as anonymous:
        found = await anonymous.get(
            "/api/v1/public/lookup", params={"member_code": code, "id_number": member["id_number"]}
        )
        assert found.status_code == 200, found.text
        assert found.json()["full_name"] == "Bùi Thị Thu" and found.json()["status"] == "active"
        assert "id_number" not in found.json() and "date_of_birth" not in found.json()

        wrong_id = await anonymous.get("/api/v1/public/lookup", params={"member_code": code, "id_number": "0" * 12})
        no_code = await anonymous.get(
            "/api/v1/public/lookup", params={"member_code": "00000000000", "id_number": member["id_number"]}
        )
        assert wrong_id.status_code == no_code.status_code == 404
        assert wrong_id.json()["message_vi"] == no_code.json()["message_vi"]
        # An officer asking under the service's own path, token and all, gets the same public answer and the
        # same miss: there is no second, unthrottled way to ask.
        direct = await admin.get("/api/v1/members/public/lookup", params={"member_code": code, "id_number": "0" * 12})
        assert direct.status_code == 404

        def miss(response) -> dict:
            return {k: v for k, v in response.json().items() if k not in ("instance", "request_id")}

        assert miss(direct) == miss(wrong_id) == {k: v for k, v in miss(no_code).items()}
        same = await admin.get(
            "/api/v1/members/public/lookup", params={"member_code": code, "id_number": member["id_number"]}
        )
        assert same.json() == found.json()

        refused = await anonymous.get(f"/api/v1/members/members/{member['member_id']}")
        assert refused.status_code == 401

    async def counted():
        response = await admin.get(f"/api/v1/reporting/units/{province}/member-summary")
        return response.json()["members"] if response.status_code == 200 else -1

    assert await eventually(counted, lambda n: n == 1, timeout=30) == 1
    assert await pending_count(admin, province) == 0
