"""The partner catalogue over HTTP: `/api/v1/identity/partners`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from chassis.http import CurrentPrincipal, Session
from contracts.events.identity_partner_v1 import PARTNER_CODE_PATTERN
from fastapi import APIRouter, Path

from identity.application.partners import PartnerChange, PartnerService
from identity.entrypoints.schemas import PartnerIn, PartnerOut

router = APIRouter(prefix="/api/v1/identity", tags=["partners"])
PartnerCode = Annotated[str, Path(pattern=PARTNER_CODE_PATTERN, description="e.g. 'CTG' (VietinBank)")]


@router.get("/partners", response_model=list[PartnerOut], summary="Danh mục đối tác (ngân hàng)")
async def list_partners(principal: CurrentPrincipal, session: Session) -> list[PartnerOut]:
    return [PartnerOut(**asdict(partner)) for partner in await PartnerService(session).all(principal)]


@router.put(
    "/partners/{partner_code}",
    response_model=PartnerOut,
    summary="Đăng ký hoặc sửa một đối tác (quản trị Tổng Liên đoàn)",
)
async def put_partner(
    partner_code: PartnerCode, body: PartnerIn, principal: CurrentPrincipal, session: Session
) -> PartnerOut:
    saved = await PartnerService(session).put(
        principal,
        partner_code,
        PartnerChange(name=body.name, linked_cards_unit_id=body.linked_cards_unit_id, status=body.status),
    )
    return PartnerOut(**asdict(saved))
