"""Unit → member → report through the gateway; every hop crosses Kafka; one trace end to end."""

from __future__ import annotations

import json
import uuid

from contracts.wellknown import NATIONAL_CENTRE_ID

from tests.support.polling import eventually


def cccd(birth_year: int, gender: str) -> str:
    century_digit = (0 if birth_year < 2000 else 2) + (1 if gender == "female" else 0)
    return f"001{century_digit}{birth_year % 100:02d}{uuid.uuid4().int % 10**6:06d}"


async def create_unit(http, code, name, type_code, parent_id) -> str:
    response = await http.post(
        "/api/v1/orgtree/units",
        json={"code": code, "name": name, "type_code": type_code, "parent_id": str(parent_id)},
    )
    assert response.status_code == 201, response.text
    return response.json()["unit_id"]


async def create_member(http, unit_id, name="Nguyễn Văn An", gender="male", year=1990):
    """Members learns about a new unit from Kafka, so the first attempt may find no unit yet."""

    async def attempt():
        return await http.post(
            "/api/v1/members/members",
            json={
                "unit_id": unit_id,
                "full_name": name,
                "gender": gender,
                "date_of_birth": f"{year}-05-01",
                "id_number": cccd(year, gender),
            },
        )

    # Until the replica has the unit, members answers 404 or out-of-scope 403.
    response = await eventually(attempt, lambda r: r.status_code not in (403, 404), timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


async def pending_count(http, unit_id, subtree=True) -> int:
    response = await http.get(
        f"/api/v1/reporting/units/{unit_id}/member-summary", params={"subtree": str(subtree).lower()}
    )
    if response.status_code != 200:
        return -1
    return response.json()["by_status"].get("pending", 0)


async def test_unit_member_report_through_the_gateway_in_one_trace(platform, admin):
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"P{suffix}", "Liên đoàn Lao động tỉnh Thử nghiệm", "provincial_federation", NATIONAL_CENTRE_ID
    )
    grassroots = await create_unit(
        admin, f"G{suffix}", "Công đoàn cơ sở Công ty Thử nghiệm", "grassroots_union", province
    )
    member = await create_member(admin, grassroots)

    async def both_counts():
        return (await pending_count(admin, grassroots, subtree=False), await pending_count(admin, province))

    assert await eventually(both_counts, lambda counts: counts == (1, 1), timeout=30) == (1, 1)

    def member_trace() -> dict[str, set[str]]:
        spans = [json.loads(line) for line in platform.spans_path.read_text().splitlines() if line]
        roots = [
            s
            for s in spans
            if s["service"] == "gateway"
            and s["kind"] == "SERVER"
            and s["attributes"].get("http.request.method", s["name"]).startswith("POST")
            and "/api/v1/members/members" in json.dumps(s)
        ]
        traces = {s["trace_id"] for s in roots}
        found: dict[str, set[str]] = {}
        for span in spans:
            if span["trace_id"] in traces:
                found.setdefault(span["service"], set()).add(span["name"])
        return found

    async def probe():
        return member_trace()

    trace = await eventually(probe, lambda t: "reporting" in t, timeout=15)
    assert {"gateway", "members", "reporting"} <= set(trace)
    assert "publish members.member.created" in trace["members"]
    assert "consume members.member.created" in trace["reporting"]
    assert member["status"] == "pending"
