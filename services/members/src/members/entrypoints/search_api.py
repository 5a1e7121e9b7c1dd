"""Tìm kiếm và xuất dữ liệu: search with filters and keyset pages; export any result, streamed."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import tempfile
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from chassis import audit
from chassis.http import CurrentPrincipal, Session
from chassis.pagination import Page
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.permissions import Permission
from contracts.wellknown import vietnamese_today
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from members.adapters.search import EXPORT_COLUMNS, MemberFilter, MemberSearch
from members.adapters.spreadsheets import XlsxStreamWriter, neutralise
from members.domain.lifecycle import STATUS_VI
from members.domain.model import normalise_phone
from members.domain.search_box import classify
from members.domain.sensitive import masked
from members.entrypoints.schemas import MemberSummary
from members.entrypoints.streaming import file_chunks
from members.entrypoints.views import BY_NAME, NEWEST_FIRST

router = APIRouter(prefix="/api/v1/members", tags=["search"])
Status = Literal["pending", "rejected", "active", "suspended", "retired", "removed"]
EXPORT_BATCH = 5_000
EXPORT_FIELDS = [column.key for _, column in EXPORT_COLUMNS]


def member_filter(
    q: str | None = Query(None, description="Tên (có hoặc không dấu), số CCCD/CMND, mã đoàn viên hoặc số điện thoại"),
    name: str | None = None,
    id_number: str | None = None,
    member_code: str | None = None,
    phone: str | None = None,
    unit_id: UUID | None = Query(None, description="Only this unit and the units below it"),
    status: Annotated[list[Status] | None, Query()] = None,
    gender: Literal["male", "female"] | None = None,
    age_from: int | None = Query(None, ge=0, le=120),
    age_to: int | None = Query(None, ge=0, le=120),
    position: str | None = None,
    enterprise_type: str | None = None,
    complete: bool | None = Query(None, description="Full data: photo, phone, joining date, home town, occupation"),
    card_status: Literal["none", "requested", "printed", "delivered"] | None = None,
    sort: Literal["name", "newest"] = "name",
    name_match: Literal["prefix", "contains"] = Query(
        "prefix", description="prefix: the full name starts with the text; contains: anywhere in it (slower)"
    ),
) -> MemberFilter:
    wanted = dict(
        name=name, id_number=id_number, member_code=member_code, phone=normalise_phone(phone) if phone else None
    )
    if q and q.strip():
        wanted.update(classify(q.strip()))
    return MemberFilter(
        **wanted,
        unit_id=unit_id,
        status=tuple(status or ()),
        gender=gender,
        age_from=age_from,
        age_to=age_to,
        position=position,
        enterprise_type=enterprise_type,
        complete=complete,
        card_status=card_status,
        sort=sort,
        name_match=name_match,
    )


MemberQuery = Annotated[MemberFilter, Depends(member_filter)]


@router.get("/search", response_model=Page[MemberSummary], summary="Tìm kiếm đoàn viên")
async def search(
    wanted: MemberQuery,
    principal: CurrentPrincipal,
    session: Session,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> Page[MemberSummary]:
    if wanted.unit_id is not None:
        await ensure_in_scope(session, principal, Permission.MEMBERS_READ, wanted.unit_id)
    newest = wanted.sort == "newest"
    window = (NEWEST_FIRST if newest else BY_NAME).window(after, limit)
    rows = await MemberSearch(session).page(principal, wanted, window.after, window.fetch, vietnamese_today())
    if wanted.id_number or wanted.phone:
        # Who holds this ID number or phone: the answer ties a person to it, so the trail keeps who asked and whom
        # it found (by member id; the number itself stays out of the trail).
        keys = "+".join(key for key in ("id_number", "phone") if getattr(wanted, key))
        found = ",".join(str(row.member_id) for row in rows[:limit])
        scope_roots = principal.scope_roots(Permission.MEMBERS_READ)
        audit.note_read(
            wanted.unit_id or (scope_roots[0] if scope_roots else None),
            f"search by {keys}; found {min(len(rows), limit)}: {found or '-'}",
        )
    return window.page(
        rows,
        lambda row: (row.created_at if newest else row.name_search, row.member_id),
        lambda row: MemberSummary.model_validate(row, from_attributes=True),
    )


@router.get("/export", response_class=StreamingResponse, summary="Xuất kết quả tìm kiếm (.xlsx hoặc .csv)")
async def export(
    wanted: MemberQuery,
    principal: CurrentPrincipal,
    session: Session,
    request: Request,
    format: Literal["xlsx", "csv"] = "xlsx",
) -> StreamingResponse:
    if wanted.unit_id is not None:
        await ensure_in_scope(session, principal, Permission.MEMBERS_READ, wanted.unit_id)
    database = request.app.state.database
    name = f"danh-sach-doan-vien-{vietnamese_today():%Y%m%d}.{format}"
    headers = {"content-disposition": f'attachment; filename="{name}"'}
    # An export is personal data leaving the registry: the audit trail keeps who took which filter, how many rows.
    exported = _Exported(format, wanted)
    scope_roots = principal.scope_roots(Permission.MEMBERS_READ)
    audit.note_read(wanted.unit_id or (scope_roots[0] if scope_roots else None), exported.target())
    if format == "csv":
        return StreamingResponse(
            _csv(database, principal, wanted, exported), media_type="text/csv; charset=utf-8", headers=headers
        )
    path = await _xlsx(database, principal, wanted, exported)
    return StreamingResponse(
        file_chunks(path),
        headers=headers,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@dataclasses.dataclass
class _Exported:
    """What an export handed out so far, as the audit trail records it."""

    format: str
    wanted: MemberFilter
    rows: int = 0

    def target(self) -> str:
        defaults = MemberFilter()
        chosen = ",".join(
            f"{f.name}={getattr(self.wanted, f.name)}"
            for f in dataclasses.fields(MemberFilter)
            if getattr(self.wanted, f.name) != getattr(defaults, f.name)
        )
        return f"export {self.format}; filter {chosen or '-'}; rows {self.rows}"


async def _rows(database, principal: Principal, wanted: MemberFilter, exported: _Exported):
    """Every matching row through a server-side cursor, in batches: memory stays flat for any size."""
    async with database.transaction() as session:
        search = MemberSearch(session)
        query = search.ordered(
            search.query(principal, wanted, [c for _, c in EXPORT_COLUMNS], vietnamese_today()), wanted, None
        )
        result = await session.stream(query.execution_options(yield_per=EXPORT_BATCH))
        async for batch in result.partitions(EXPORT_BATCH):
            exported.rows += len(batch)
            audit.amend_read(exported.target())
            yield [_cells(row) for row in batch]


def _cells(row) -> list[object]:
    values = dict(zip(EXPORT_FIELDS, row[: len(EXPORT_FIELDS)], strict=True))
    if not row.sensitive_visible:
        values = masked(values)
    values["gender"] = "Nam" if values["gender"] == "male" else "Nữ"
    values["status"] = STATUS_VI.get(values["status"], values["status"])
    return list(values.values())


async def _csv(database, principal: Principal, wanted: MemberFilter, exported: _Exported):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for title, _ in EXPORT_COLUMNS])
    yield ("\ufeff" + buffer.getvalue()).encode()  # the BOM makes Excel read UTF-8 Vietnamese correctly
    async for batch in _rows(database, principal, wanted, exported):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([[neutralise(f"{v:%d/%m/%Y}" if isinstance(v, date) else v) for v in row] for row in batch])
        yield buffer.getvalue().encode()


async def _xlsx(database, principal: Principal, wanted: MemberFilter, exported: _Exported) -> str:
    descriptor, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    writer = XlsxStreamWriter(
        path,
        "Danh sách đoàn viên",
        [title for title, _ in EXPORT_COLUMNS],
        [14, 28, 9, 12, 16, 10, 10, 30, 20, 12, 13, 20, 18, 10, 12, 14],
    )
    async for batch in _rows(database, principal, wanted, exported):
        for row in batch:
            writer.write(row)
    writer.close()
    return path
