"""Payroll lists (bảng lương): the month's dues lines computed from the unit's salary list, previewed before the
officer records them (POST /months with the lines, corrected as needed). Nothing is stored by a preview."""

from __future__ import annotations

import asyncio
from datetime import date
from uuid import UUID

from chassis.errors import InvalidInput
from chassis.principal import Principal
from chassis.spreadsheets import Limits, open_spreadsheet
from sqlalchemy.ext.asyncio import AsyncSession

from dues.application.service import DuesService
from dues.domain.model import PAYING_STATUSES
from dues.domain.payroll import code_key, payroll_rows

MAX_ROWS = 20_000  # the largest month POST /months takes

PROBLEMS = {
    "member-not-in-unit": ("Mã đoàn viên không thuộc đơn vị trong tháng", "No member of the unit has this code"),
    "member-not-paying": (
        "Đoàn viên không ở trạng thái đóng đoàn phí trong tháng",
        "The member pays no dues that month (pending, retired or removed)",
    ),
    "duplicate-member": ("Đoàn viên có ở dòng khác của danh sách", "The member is on another row of the list"),
    "salary-invalid": ("Tiền lương trống hoặc không đọc được", "The salary is missing or unreadable"),
}


def _read(file_name: str, content: bytes) -> list:
    rows = payroll_rows(open_spreadsheet(file_name, content, Limits(max_rows=MAX_ROWS)).rows())
    if rows is None:
        raise InvalidInput(
            "Không tìm thấy dòng tiêu đề có cột \u201cMã đoàn viên\u201d và cột \u201cTiền lương\u201d",
            "No header row naming the member code and salary columns",
            code="payroll-header-missing",
            field="file",
        )
    return rows


async def preview(
    session: AsyncSession, principal: Principal, unit_id: UUID, month: date, file_name: str, content: bytes
) -> dict:
    """Each row of the list with its member, norm (the month's rate and cap) and problem; the members of the unit
    the list leaves out (recorded unpaid if the month is recorded without them); the lines to record."""
    policy, payers = await DuesService(session).month_of_unit(principal, unit_id, month)
    rows = await asyncio.to_thread(_read, file_name, content)
    by_code = {code_key(payer.member_code): payer for payer in payers.values() if payer.member_code}
    seen: set[UUID] = set()
    previewed, lines = [], []
    for row in rows:
        payer = by_code.get(code_key(row.member_code))
        problem = (
            "member-not-in-unit"
            if payer is None
            else "member-not-paying"
            if payer.status not in PAYING_STATUSES
            else "duplicate-member"
            if payer.member_id in seen
            else "salary-invalid"
            if row.salary_vnd is None and payer.status == "active"
            else None
        )
        exemption = "suspended" if payer is not None and payer.status == "suspended" else None
        norm = 0 if exemption or row.salary_vnd is None else policy.norm_vnd(row.salary_vnd)
        previewed.append(
            {
                "row": row.row,
                "member_code": row.member_code,
                "salary_vnd": row.salary_vnd,
                "norm_vnd": norm,
                "member_id": payer.member_id if payer else None,
                "full_name": payer.full_name if payer else None,
                "exemption": exemption,
                "problem": problem,
                "message_vi": PROBLEMS[problem][0] if problem else None,
                "message_en": PROBLEMS[problem][1] if problem else None,
            }
        )
        if payer is not None:
            seen.add(payer.member_id)
        if problem is None:
            lines.append(
                {"member_id": payer.member_id, "exemption": exemption}
                if exemption
                else {"member_id": payer.member_id, "salary_vnd": row.salary_vnd}
            )
    left_out = [
        {"member_id": payer.member_id, "member_code": payer.member_code, "full_name": payer.full_name}
        for payer in payers.values()
        if payer.status in PAYING_STATUSES and payer.member_id not in seen
    ]
    return {
        "unit_id": unit_id,
        "month": month,
        "policy_from": policy.effective_from,
        "rows": previewed,
        "rows_with_problems": sum(1 for row in previewed if row["problem"]),
        "left_out": left_out,
        "norm_vnd": sum(row["norm_vnd"] for row in previewed if not row["problem"]),
        "lines": lines,
    }
