"""A unit with an employer and an approved member, then reporting's figures and period report through the gateway."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import datetime

from contracts.wellknown import NATIONAL_CENTRE_ID, VIETNAM_TIME

from tests.e2e.test_walking_skeleton import cccd, create_unit
from tests.support.polling import eventually


async def test_figures_by_dimension_and_the_period_report_through_the_gateway(platform, admin):
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"RP{suffix}", "Liên đoàn Lao động tỉnh Báo cáo", "provincial_federation", NATIONAL_CENTRE_ID
    )
    created = await admin.post(
        "/api/v1/orgtree/units",
        json={
            "code": f"RG{suffix}",
            "name": "Công đoàn cơ sở Công ty Dệt Báo cáo",
            "type_code": "grassroots_union",
            "parent_id": province,
            "employer": {"enterprise_type": "foreign_invested", "sector": "Dệt may", "workforce_size": 350},
        },
    )
    assert created.status_code == 201, created.text
    grassroots = created.json()["unit_id"]

    async def create():
        return await admin.post(
            "/api/v1/members/members",
            json={
                "unit_id": grassroots,
                "full_name": "Lò Thị Hoa",
                "gender": "female",
                "date_of_birth": "1992-05-01",
                "id_number": cccd(1992, "female"),
                "ethnicity": "Thái",
                "phone": "0912345678",
            },
        )

    # Until members' replica has the unit, it answers 404 or out-of-scope 403.
    member = await eventually(create, lambda r: r.status_code not in (403, 404), timeout=30)
    assert member.status_code == 201, member.text
    approved = await admin.post(
        f"/api/v1/members/members/{member.json()['member_id']}/decision", json={"decision": "approve"}
    )
    assert approved.status_code == 200, approved.text

    async def by(dimension: str):
        response = await admin.get("/api/v1/reporting/members/breakdown", params={"unit_id": province, "by": dimension})
        return (
            {row["value"]: row["members"] for row in response.json()["rows"] if row["members"]}
            if response.status_code == 200
            else response.status_code
        )

    assert await eventually(lambda: by("gender"), lambda found: found == {"female": 1}, timeout=30) == {"female": 1}
    assert await by("enterprise_type") == {"foreign_invested": 1}
    assert await by("employer_size") == {"200-999": 1}
    assert await by("ethnicity") == {"Thái": 1}
    assert await by("has_phone") == {"yes": 1}
    assert await by("age_band") != {}

    workbook = await admin.get("/api/v1/reporting/members/breakdown.xlsx", params={"unit_id": province, "by": "sector"})
    assert workbook.status_code == 200, workbook.text
    with zipfile.ZipFile(io.BytesIO(workbook.content)) as opened:
        assert "Dệt may" in opened.read("xl/sharedStrings.xml").decode()

    today = datetime.now(VIETNAM_TIME).date().isoformat()
    report = await admin.get(
        "/api/v1/reporting/members/development", params={"unit_id": province, "from": today, "to": today}
    )
    assert report.status_code == 200, report.text
    body = report.json()
    assert [row["code"] for row in body["rows"]] == [f"RG{suffix}"]
    assert (body["total"]["admitted"], body["total"]["members_at_end"], body["total"]["women_at_end"]) == (1, 1, 1)

    refused = await admin.get("/api/v1/reporting/members/breakdown", params={"unit_id": province, "by": "salary"})
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
