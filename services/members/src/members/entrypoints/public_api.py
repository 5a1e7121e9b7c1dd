"""Tra cứu công khai: member code plus ID number gives name, unit, status and card status; nothing else.

A member whose card is printed or delivered also gets its verification code, so they can open their digital card:
the code is the card's QR, which its holder shows anyway, and only the code and the ID number together reach it.

The gateway maps `/api/v1/public/...` here with its PUBLIC principal (no login); any valid
principal may ask too. Every miss is the same 404, whether the code does not exist or the ID
number does not match it, so the endpoint cannot be used to find out which codes exist.
"""

from __future__ import annotations

from chassis.errors import NotFound
from chassis.http import CurrentPrincipal, Session
from fastapi import APIRouter, Query

from members.adapters.public import PublicLookup
from members.domain.lifecycle import STATUS_VI
from members.domain.member_codes import is_valid_member_code
from members.entrypoints.schemas import PublicMember

router = APIRouter(prefix="/api/v1/members/public", tags=["public"])
CARD_STATUS_VI = {
    "none": "chưa đề nghị in thẻ",
    "requested": "đã đề nghị in thẻ",
    "printed": "đã in thẻ",
    "delivered": "đã nhận thẻ",
}


def no_match() -> NotFound:
    return NotFound(
        "Không tìm thấy đoàn viên với mã số và số giấy tờ đã nhập",
        "No member matches this member code and ID number",
        code="no-match",
        field="member_code",
    )


@router.get("/lookup", response_model=PublicMember, summary="Tra cứu đoàn viên (không cần đăng nhập)")
async def lookup(
    principal: CurrentPrincipal,
    session: Session,
    member_code: str = Query(min_length=1, max_length=20),
    id_number: str = Query(min_length=1, max_length=20),
) -> PublicMember:
    code, number = member_code.strip(), "".join(id_number.split()).upper()
    found = await PublicLookup(session).find(code, number) if is_valid_member_code(code) else None
    if found is None:
        raise no_match()
    return PublicMember(
        full_name=found.full_name,
        unit_name=found.unit_name,
        status=found.status,
        status_vi=STATUS_VI[found.status],
        card_status=found.card_status,
        card_status_vi=CARD_STATUS_VI.get(found.card_status, found.card_status),
        card_verification_code=found.card_verification_code,
    )
