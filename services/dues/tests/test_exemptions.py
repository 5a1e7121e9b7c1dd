"""Exemption reasons come from the month's policy: each policy carries its list, a line names one of them."""

from __future__ import annotations

import io

from python_calamine import CalamineWorkbook

from services.dues.tests.conftest import assert_problem

M = "/api/v1/dues"
STANDARD = ["no_income", "social_insurance_benefit", "suspended"]


def line(member, **values) -> dict:
    return {"member_id": str(member), **values}


async def test_every_policy_carries_its_exemption_reasons_and_a_new_one_may_change_them(treasury):
    seeded = (await treasury.http.get(f"{M}/policies", headers=treasury.as_("dues_officer", "HNI-A"))).json()
    assert {tuple(r["code"] for r in p["exemption_reasons"]) for p in seeded} == {tuple(STANDARD)}
    assert seeded[0]["exemption_reasons"][0] == {"code": "no_income", "name": "Không có thu nhập"}
    assert {p["upper_level_keeps_percent"] for p in seeded} == {0}

    policy = {
        "effective_from": "2024-01-01",
        "rate_permille": 10,
        "base_salary_vnd": 1_800_000,
        "cap_percent_of_base": 10,
        "grassroots_share_percent": 70,
        "decision": "thử nghiệm lý do miễn",
        "exemption_reasons": [
            {"code": "no_income", "name": "Không có thu nhập"},
            {"code": "maternity", "name": "Nghỉ thai sản"},
        ],
    }
    officer = treasury.as_("dues_officer", "TLD")
    added = await treasury.http.post(f"{M}/policies", json=policy, headers=officer)
    assert added.status_code == 201, added.text
    # `suspended` is on every list: a suspended member is recorded exempt whatever the line says.
    by_start = {p["effective_from"]: [r["code"] for r in p["exemption_reasons"]] for p in added.json()}
    assert by_start["2024-01-01"] == ["no_income", "maternity", "suspended"]
    # Without a list, a new policy carries the list of the policy in force before it.
    carried = await treasury.http.post(
        f"{M}/policies",
        json={k: v for k, v in policy.items() if k != "exemption_reasons"} | {"effective_from": "2024-03-01"},
        headers=officer,
    )
    by_start = {p["effective_from"]: [r["code"] for r in p["exemption_reasons"]] for p in carried.json()}
    assert by_start["2024-03-01"] == ["no_income", "maternity", "suspended"]

    before = await treasury.counts()
    for reasons, field in (
        ([{"code": "a b", "name": "Sai mã"}], "exemption_reasons.0.code"),
        ([{"code": "x1", "name": "Một"}, {"code": "x1", "name": "Hai"}], "exemption_reasons"),
        ([], "exemption_reasons"),
    ):
        refused = await treasury.http.post(
            f"{M}/policies",
            json=policy | {"effective_from": "2026-05-01", "exemption_reasons": reasons},
            headers=officer,
        )
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, refused.text
    assert await treasury.counts() == before


async def test_a_line_names_a_reason_of_its_months_policy_or_nothing_is_recorded(treasury):
    # Runs after the test above: from 2024-01 the list is no_income, maternity, suspended.
    member, other = await treasury.member("HNI-B"), await treasury.member("HNI-B")
    before = await treasury.counts()
    refused = await treasury.record(
        "HNI-B", "2024-02", [line(other, salary_vnd=5_000_000), line(member, exemption="social_insurance_benefit")]
    )
    problem = assert_problem(refused, 422, "dues-lines-refused", "lines[1].exemption")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("lines[1].exemption", "exemption-not-in-policy")]
    assert "Nghỉ thai sản" in problem["errors"][0]["message_vi"]
    older = await treasury.record("HNI-B", "2023-10", [line(member, exemption="maternity")])
    assert_problem(older, 422, "dues-lines-refused", "lines[0].exemption")
    malformed = await treasury.record("HNI-B", "2024-02", [line(member, exemption="Thai sản!")])
    assert malformed.status_code == 422 and malformed.json()["errors"][0]["field"] == "lines.0.exemption"
    assert await treasury.counts() == before

    recorded = await treasury.record(
        "HNI-B", "2024-02", [line(other, salary_vnd=5_000_000), line(member, exemption="maternity")]
    )
    assert recorded.status_code == 201, recorded.text
    assert (recorded.json()["members_exempt"], recorded.json()["members_paid"]) == (1, 1)
    detail = (
        await treasury.http.get(
            f"{M}/months/{recorded.json()['collection_id']}", headers=treasury.as_("dues_officer", "HNI-B")
        )
    ).json()
    assert {(entry["member_id"], entry["exemption"], entry["outcome"]) for entry in detail["lines"]} == {
        (str(member), "maternity", "exempt"),
        (str(other), None, "paid"),
    }
    sheet = await treasury.http.get(
        f"{M}/months/{recorded.json()['collection_id']}/lines.xlsx", headers=treasury.as_("dues_officer", "HNI-B")
    )
    rows = CalamineWorkbook.from_filelike(io.BytesIO(sheet.content)).get_sheet_by_index(0).to_python()
    assert "Nghỉ thai sản" in [row[4] for row in rows]
    # The older months keep the reasons of their own policy.
    assert (
        await treasury.record("HNI-B", "2023-10", [line(member, exemption="social_insurance_benefit")])
    ).status_code == 201


async def test_a_policys_reasons_are_named_again_or_added_to_and_taken_off_only_before_it_applies(treasury):
    officer = treasury.as_("dues_officer", "TLD")
    future = {
        "effective_from": "2099-01-01",
        "rate_permille": 5,
        "base_salary_vnd": 2_340_000,
        "cap_percent_of_base": 10,
        "grassroots_share_percent": 70,
        "decision": "quy định tương lai",
    }
    assert (await treasury.http.post(f"{M}/policies", json=future, headers=officer)).status_code == 201

    def reasons_of(policies, start):
        return next(
            [(r["code"], r["name"]) for r in p["exemption_reasons"]] for p in policies if p["effective_from"] == start
        )

    # Not in force yet: the list is whatever the national centre says, `suspended` always on it.
    edited = await treasury.http.put(
        f"{M}/policies/2099-01-01/exemption-reasons",
        json={"exemption_reasons": [{"code": "maternity", "name": "Nghỉ thai sản"}]},
        headers=officer,
    )
    assert edited.status_code == 200, edited.text
    assert reasons_of(edited.json(), "2099-01-01") == [
        ("maternity", "Nghỉ thai sản"),
        ("suspended", "Tạm dừng sinh hoạt"),
    ]

    # In force: a reason may be named again or added, not taken off (recorded months may name it).
    seeded = (await treasury.http.get(f"{M}/policies", headers=officer)).json()
    in_force = reasons_of(seeded, "2025-07-01")
    renamed = [{"code": code, "name": f"{name} (sửa)"} for code, name in in_force] + [
        {"code": "long_illness", "name": "Ốm dài ngày"}
    ]
    edited = await treasury.http.put(
        f"{M}/policies/2025-07-01/exemption-reasons", json={"exemption_reasons": renamed}, headers=officer
    )
    assert edited.status_code == 200, edited.text
    assert reasons_of(edited.json(), "2025-07-01") == [(r["code"], r["name"]) for r in renamed]

    before = (await treasury.http.get(f"{M}/policies", headers=officer)).json(), await treasury.counts()
    for path, body, status, code, field in (
        ("2025-07-01", {"exemption_reasons": renamed[1:]}, 409, "exemption-reason-in-force", "exemption_reasons"),
        ("2025-08-01", {"exemption_reasons": renamed}, 404, "policy-not-found", "effective_from"),
    ):
        refused = await treasury.http.put(f"{M}/policies/{path}/exemption-reasons", json=body, headers=officer)
        assert_problem(refused, status, code, field)
    assert_problem(
        await treasury.http.put(
            f"{M}/policies/2099-01-01/exemption-reasons",
            json={"exemption_reasons": renamed},
            headers=treasury.as_("dues_officer", "HNI"),
        ),
        403,
        "out-of-scope",
        "unit_id",
    )
    for body, field in (
        ({"exemption_reasons": []}, "exemption_reasons"),
        ({"exemption_reasons": [renamed[0], renamed[0]]}, "exemption_reasons"),
        ({"exemption_reasons": [{"code": "xyz", "name": ""}]}, "exemption_reasons.0.name"),
    ):
        refused = await treasury.http.put(f"{M}/policies/2099-01-01/exemption-reasons", json=body, headers=officer)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, refused.text
    bad_day = await treasury.http.put(
        f"{M}/policies/2099-13-01/exemption-reasons", json={"exemption_reasons": renamed}, headers=officer
    )
    assert bad_day.status_code == 422 and bad_day.json()["errors"][0]["field"] == "effective_from", bad_day.text
    assert ((await treasury.http.get(f"{M}/policies", headers=officer)).json(), await treasury.counts()) == before
