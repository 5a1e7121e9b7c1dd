"""Vpoint codes in bulk: a workbook with a sheet named DANHSACHVPOINT, one row per member.

Columns (headers matched like the import: diacritics, case and punctuation ignored, any order, among the
first rows): member code or ID number, and the Vpoint code. Every row is checked (5-16 letters or digits,
the member exists and the caller may write them, the code is not another member's, no repeats in the
file); the valid rows are applied in ONE statement with history and `MemberUpdated` events, and the
answer reports every row.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict

from chassis.errors import FieldError, InvalidInput
from chassis.principal import Principal
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.bulk_members import BulkMemberRepository
from members.application.importing.reading import HEADER_SCAN_ROWS, open_upload
from members.application.importing.rows import cell_text
from members.domain.identity_numbers import restore_leading_zeros, written_id_number
from members.domain.import_columns import column_for, header_key
from members.domain.member_codes import is_valid_member_code
from members.domain.vpoint import SHEET_NAME, vpoint_problem

MAX_ROWS = 200_000
_MEMBER_CODE_HEADERS = {
    header_key(h) for h in ("Mã đoàn viên", "Mã số đoàn viên", "Mã ĐV", "Mã số ĐV", "member_code", "Member code")
}


def _column_of(cell: object) -> str | None:
    if cell in (None, ""):
        return None
    if header_key(str(cell)) in _MEMBER_CODE_HEADERS:
        return "member_code"
    key = column_for(cell)
    return key if key in ("id_number", "vpoint_code") else None


def _sheet_rows(file_name: str, content: bytes) -> list[list]:
    """The DANHSACHVPOINT sheet's rows (a CSV is that sheet). CPU work: run in a thread."""
    spreadsheet = open_upload(file_name, content, MAX_ROWS)
    if spreadsheet.kind == "csv":
        return spreadsheet.rows()
    name = next((n for n in spreadsheet.sheet_names if header_key(n).replace(" ", "") == "danhsachvpoint"), None)
    if name is None:
        raise InvalidInput(
            f"Không có trang tính tên {SHEET_NAME}",
            f"The workbook has no sheet named {SHEET_NAME}",
            code="vpoint-sheet-missing",
            field="file",
        )
    return spreadsheet.rows(name)


def _header(rows: list[list]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping: dict[str, int] = {}
        for position, cell in enumerate(row):
            key = _column_of(cell)
            if key is not None and key not in mapping:
                mapping[key] = position
        if "vpoint_code" in mapping and ({"member_code", "id_number"} & mapping.keys()):
            return index, mapping
    raise InvalidInput(
        f"Trang {SHEET_NAME} cần các cột Mã đoàn viên (hoặc Số CCCD/CMND) và Mã Vpoint",
        f"The {SHEET_NAME} sheet needs a Member code (or ID number) column and a Vpoint code column",
        code="no-header-row",
        field="file",
    )


def _text(row: list, position: int | None) -> str:
    if position is None or position >= len(row):
        return ""
    return "".join(cell_text(row[position]).split())


def _problem(error: FieldError) -> dict:
    return asdict(error)


async def set_vpoint_codes(session: AsyncSession, principal: Principal, file_name: str, content: bytes) -> dict:
    rows = await asyncio.to_thread(_sheet_rows, file_name, content)
    header_index, mapping = _header(rows)
    body = rows[header_index + 1 :]
    if len(body) > MAX_ROWS:
        raise InvalidInput(f"Tối đa {MAX_ROWS} dòng", f"At most {MAX_ROWS} rows", code="too-many-rows", field="file")
    report: list[dict] = []
    wanted: list[tuple[dict, tuple[str, str], str]] = []  # (report row, (key kind, key), vpoint code)
    for offset, row in enumerate(body):
        row_number = header_index + 2 + offset
        member_code, id_number = _text(row, mapping.get("member_code")), _text(row, mapping.get("id_number"))
        code = _text(row, mapping["vpoint_code"])
        if not (member_code or id_number or code):
            continue  # an empty row in the middle: skipped, numbers kept
        entry = {
            "row_number": row_number,
            "member_code": member_code or None,
            "id_number": id_number or None,
            "vpoint_code": code or None,
            "outcome": "error",
            "problems": [],
        }
        report.append(entry)
        if id_number:
            id_number = restore_leading_zeros(written_id_number(id_number), None)[0] or id_number
        if member_code:
            key = ("member_code", member_code)
            if not (member_code.isdigit() and len(member_code) == 11 and is_valid_member_code(member_code)):
                entry["problems"].append(
                    _problem(
                        FieldError(
                            "member_code",
                            "invalid-member-code",
                            "Mã đoàn viên không hợp lệ",
                            "The member code is not valid",
                        )
                    )
                )
        elif id_number:
            key = ("id_number", id_number)
        else:
            key = None
            entry["problems"].append(
                _problem(
                    FieldError(
                        "member_code",
                        "required",
                        "Thiếu Mã đoàn viên hoặc Số CCCD/CMND",
                        "The member code or ID number is missing",
                    )
                )
            )
        if not code:
            entry["problems"].append(
                _problem(FieldError("vpoint_code", "required", "Thiếu Mã Vpoint", "The Vpoint code is missing"))
            )
        elif (error := vpoint_problem(code)) is not None:
            entry["problems"].append(_problem(error))
        if not entry["problems"]:
            wanted.append((entry, key, code))

    bulk = BulkMemberRepository(session)
    # One upload at a time decides who holds which code, so two uploads cannot give one code to two people.
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext("members.vpoint_codes"))))
    found = await bulk.members_in_reach(
        principal,
        [k for _, (kind, k), _ in wanted if kind == "id_number"],
        [k for _, (kind, k), _ in wanted if kind == "member_code"],
    )
    by_key = {("id_number", r.id_number): r for r in found}
    by_key |= {("member_code", r.member_code): r for r in found if r.member_code}
    holders = await bulk.vpoint_holders(sorted({code for _, _, code in wanted}))
    chosen: dict = {}
    codes_in_file: dict[str, object] = {}
    for entry, key, code in wanted:
        member = by_key.get(key)
        if member is None:
            entry["problems"].append(
                _problem(
                    FieldError(
                        key[0],
                        "unknown-member",
                        "Không có đoàn viên nào mang số/mã này trong phạm vi được cập nhật",
                        "No member you may update has this ID number or member code",
                    )
                )
            )
        elif member.member_id in chosen:
            entry["problems"].append(
                _problem(
                    FieldError(
                        key[0],
                        "duplicate-member",
                        "Đoàn viên này đã có ở dòng trước trong tệp",
                        "This member already appears on an earlier row of the file",
                    )
                )
            )
        elif (
            holders.get(code, member.member_id) != member.member_id
            or codes_in_file.get(code, member.member_id) != member.member_id
        ):
            entry["problems"].append(
                _problem(
                    FieldError(
                        "vpoint_code",
                        "vpoint-taken",
                        "Mã Vpoint đã được dùng cho đoàn viên khác",
                        "The Vpoint code already belongs to another member",
                    )
                )
            )
        else:
            codes_in_file[code] = member.member_id
            if member.vpoint_code == code:
                entry["outcome"] = "unchanged"
            else:
                chosen[member.member_id] = (entry, code)
    changed = {m.member_id for m in await bulk.set_vpoint_codes(principal, {k: c for k, (_, c) in chosen.items()})}
    for member_id, (entry, _) in chosen.items():
        if member_id in changed:
            entry["outcome"] = "updated"
        else:  # changed meanwhile (removed, moved away): not applied
            entry["problems"].append(
                _problem(
                    FieldError(
                        "vpoint_code",
                        "not-applied",
                        "Không cập nhật được đoàn viên này",
                        "This member could not be updated",
                    )
                )
            )
    return {
        "updated": sum(e["outcome"] == "updated" for e in report),
        "unchanged": sum(e["outcome"] == "unchanged" for e in report),
        "errors": sum(e["outcome"] == "error" for e in report),
        "rows": report,
    }
