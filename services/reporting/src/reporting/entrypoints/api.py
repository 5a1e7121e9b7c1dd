"""HTTP endpoints of reporting: `/api/v1/reporting/...`."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field

from reporting.application.service import ReportService
from reporting.config import ReportingSettings

router = APIRouter(prefix="/api/v1/reporting", tags=["reporting"])


class MemberSummaryOut(BaseModel):
    unit_id: UUID
    scope: str
    members: int
    female: int
    foreign: int
    by_status: dict[str, int]
    cards: dict[str, int] = Field(description="Among the members: card requested (waiting), printed, delivered")


@router.get("/units/{unit_id}/member-summary", response_model=MemberSummaryOut)
async def member_summary(
    unit_id: UUID, principal: CurrentPrincipal, session: Session, subtree: bool = True
) -> MemberSummaryOut:
    """Members of the unit (or its whole subtree): approved members, women, foreigners, and every status."""
    summary = await ReportService(session).member_summary(principal, unit_id, subtree)
    return MemberSummaryOut(**summary.__dict__)


class MovementsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    unit_id: UUID
    from_: date = Field(alias="from")
    to: date
    members_at_start: int = Field(description="Đoàn viên cuối ngày trước kỳ")
    members_at_end: int = Field(description="Đoàn viên cuối ngày cuối kỳ")
    admitted: int = Field(description="Kết nạp (được phê duyệt)")
    transferred_in: int = Field(description="Chuyển đến từ ngoài đơn vị")
    transferred_out: int = Field(description="Chuyển đi ra ngoài đơn vị")
    suspended: int = Field(description="Tạm dừng sinh hoạt (vẫn là đoàn viên)")
    resumed: int = Field(description="Sinh hoạt trở lại")
    retired: int = Field(description="Thôi sinh hoạt khi nghỉ hưu")
    removed: int = Field(description="Xóa tên")
    left: int = Field(description="Ra khỏi danh sách vì lý do khác")


@router.get("/units/{unit_id}/movements", response_model=MovementsOut, response_model_by_alias=True)
async def movements(unit_id: UUID, principal: CurrentPrincipal, session: Session,
                    first: date = Query(alias="from"), last: date = Query(alias="to")) -> MovementsOut:
    """Members of the subtree at the start and end of a period (Vietnamese calendar days) and what moved in
    between; transfers between two units of the subtree are not movements of the subtree."""
    return MovementsOut(**await ReportService(session).movements(principal, unit_id, first, last))


def create_app(settings: ReportingSettings, database: Database) -> FastAPI:
    return create_service_app(settings, database, [router], title="Reporting service (Báo cáo thống kê)")
