"""HTTP endpoints of reporting: `/api/v1/reporting/...`."""

from __future__ import annotations

from uuid import UUID

from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

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


@router.get("/units/{unit_id}/member-summary", response_model=MemberSummaryOut)
async def member_summary(
    unit_id: UUID, principal: CurrentPrincipal, session: Session, subtree: bool = True
) -> MemberSummaryOut:
    """Members of the unit (or its whole subtree): approved members, women, foreigners, and every status."""
    summary = await ReportService(session).member_summary(principal, unit_id, subtree)
    return MemberSummaryOut(**summary.__dict__)


def create_app(settings: ReportingSettings, database: Database) -> FastAPI:
    return create_service_app(settings, database, [router], title="Reporting service (Báo cáo thống kê)")
