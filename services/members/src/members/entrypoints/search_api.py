"""Tìm kiếm và xuất dữ liệu: search with filters and keyset pages; export any result, streamed."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from chassis.http import CurrentPrincipal, Session
from chassis.pagination import Page, decode_cursor, encode_cursor, page_of
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.permissions import Permission
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from members.adapters.search import EXPORT_COLUMNS, MemberFilter, MemberSearch
from members.adapters.spreadsheets import XlsxStreamWriter, neutralise
from members.domain.lifecycle import STATUS_VI
from members.domain.member_codes import is_valid_member_code
from members.domain.model import normalise_phone
from members.entrypoints.schemas import MemberSummary, mask
from members.entrypoints.streaming import file_chunks

router = APIRouter(prefix="/api/v1/members", tags=["search"])
Status = Literal["pending", "rejected", "active", "suspended", "retired", "removed"]
EXPORT_BATCH = 5_000


def member_filter(
    q: str | None = Query(None, description="Tên (có hoặc không dấu), số CCCD/CMND, mã đoàn viên hoặc số điện thoại"),
    name: str | None = None, id_number: str | None = None, member_code: str | None = None, phone: str | None = None,
    unit_id: UUID | None = Query(None, description="Only this unit and the units below it"),
    status: Annotated[list[Status] | None, Query()] = None,
    gender: Literal["male", "female"] | None = None,
    age_from: int | None = Query(None, ge=0, le=120), age_to: int | None = Query(None, ge=0, le=120),
    position: str | None = None, enterprise_type: str | None = None,
    complete: bool | None = Query(None, description="Full data: photo, phone, joining date, home town, occupation"),
    card_status: Literal["none", "requested", "printed", "delivered"] | None = None,
    sort: Literal["name", "newest"] = "name",
    name_match: Literal["prefix", "contains"] = Query(
        "prefix", description="prefix: the full name starts with the text; contains: anywhere in it (slower)"),
) -> MemberFilter:
    wanted = dict(name=name, id_number=id_number, member_code=member_code,
                  phone=normalise_phone(phone) if phone else None)
    if q and q.strip():
        wanted.update(classify(q.strip()))
    return MemberFilter(**wanted, unit_id=unit_id, status=tuple(status or ()), gender=gender, age_from=age_from,
                        age_to=age_to, position=position, enterprise_type=enterprise_type, complete=complete,
                        card_status=card_status, sort=sort, name_match=name_match)


def classify(q: str) -> dict[str, str]:
    """One search box: what the typed text most likely is."""
    compact = re.sub(r"[\s.\-]", "", q)
    if compact.isdigit() and len(compact) in (9, 12):
        return {"id_number": compact}
    if compact.isdigit() and is_valid_member_code(compact):
        return {"member_code": compact}
    if re.fullmatch(r"(\+?84|0)\d{9}", compact):
        return {"phone": normalise_phone(compact)}
    return {"name": q}


MemberQuery = Annotated[MemberFilter, Depends(member_filter)]


@router.get("/search", response_model=Page[MemberSummary], summary="Tìm kiếm đoàn viên")
async def search(wanted: MemberQuery, principal: CurrentPrincipal, session: Session, after: str | None = None,
                 limit: int = Query(50, ge=1, le=500)) -> Page[MemberSummary]:
    if wanted.unit_id is not None:
        await ensure_in_scope(session, principal, Permission.MEMBERS_READ, wanted.unit_id)
    rows = await MemberSearch(session).page(principal, wanted, decode_cursor(after), limit + 1, date.today())
    items = [(MemberSummary.model_validate(row, from_attributes=True), row) for row in rows]

    def cursor(last):
        row = next(r for s, r in items if s is last)
        return encode_cursor(row.created_at.isoformat(), str(row.member_id)) if wanted.sort == "newest" else \
            encode_cursor(row.name_search, str(row.member_id))

    return page_of([summary for summary, _ in items], limit, cursor)


@router.get("/export", response_class=StreamingResponse, summary="Xuất kết quả tìm kiếm (.xlsx hoặc .csv)")
async def export(wanted: MemberQuery, principal: CurrentPrincipal, session: Session, request: Request,
                 format: Literal["xlsx", "csv"] = "xlsx") -> StreamingResponse:
    if wanted.unit_id is not None:
        await ensure_in_scope(session, principal, Permission.MEMBERS_READ, wanted.unit_id)
    database = request.app.state.database
    name = f"danh-sach-doan-vien-{date.today():%Y%m%d}.{format}"
    headers = {"content-disposition": f'attachment; filename="{name}"'}
    if format == "csv":
        return StreamingResponse(_csv(database, principal, wanted), media_type="text/csv; charset=utf-8",
                                 headers=headers)
    path = await _xlsx(database, principal, wanted)
    return StreamingResponse(file_chunks(path), headers=headers,
                             media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


async def _rows(database, principal: Principal, wanted: MemberFilter):
    """Every matching row through a server-side cursor, in batches: memory stays flat for any size."""
    async with database.transaction() as session:
        search = MemberSearch(session)
        query = search.ordered(search.query(principal, wanted, [c for _, c in EXPORT_COLUMNS], date.today()),
                               wanted, None)
        result = await session.stream(query.execution_options(yield_per=EXPORT_BATCH))
        async for batch in result.partitions(EXPORT_BATCH):
            yield [_cells(row) for row in batch]


def _cells(row) -> list[object]:
    values = list(row[:len(EXPORT_COLUMNS)])
    values[2] = "Nam" if values[2] == "male" else "Nữ"
    if not row.sensitive_visible:
        values[4], values[5], values[6] = mask(values[4]), None, None
    values[12] = STATUS_VI.get(values[12], values[12])
    return values


async def _csv(database, principal: Principal, wanted: MemberFilter):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for title, _ in EXPORT_COLUMNS])
    yield ("\ufeff" + buffer.getvalue()).encode()  # the BOM makes Excel read UTF-8 Vietnamese correctly
    async for batch in _rows(database, principal, wanted):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([[neutralise(f"{v:%d/%m/%Y}" if isinstance(v, date) else v) for v in row] for row in batch])
        yield buffer.getvalue().encode()


async def _xlsx(database, principal: Principal, wanted: MemberFilter) -> str:
    descriptor, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    writer = XlsxStreamWriter(path, "Danh sách đoàn viên", [title for title, _ in EXPORT_COLUMNS],
                              [14, 28, 9, 12, 16, 10, 10, 30, 20, 12, 13, 20, 18, 10, 12, 14])
    async for batch in _rows(database, principal, wanted):
        for row in batch:
            writer.write(row)
    writer.close()
    return path

