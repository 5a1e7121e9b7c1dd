"""Xác thực thẻ: the code in a card's QR gives the holder's name, unit and whether the card is live.

The gateway maps `/api/v1/public/cards/...` here with its PUBLIC principal (no login). A code that
does not exist, is malformed, or belongs to a card not printed yet all get the same 404, so the
endpoint tells nothing about which codes exist; the gateway rate-limits it like every public route.
"""

from __future__ import annotations

from chassis.errors import NotFound
from chassis.http import CurrentPrincipal, Session
from fastapi import APIRouter

from cards.adapters.repository import CardRepository
from cards.domain.model import STATUS_VI, normalise_verification_code
from cards.entrypoints.schemas import PublicCard

router = APIRouter(prefix="/api/v1/cards/public", tags=["public"])


def no_match() -> NotFound:
    return NotFound(
        "Không tìm thấy thẻ đoàn viên với mã xác thực này",
        "No membership card has this verification code",
        code="no-match",
        field="code",
    )


@router.get("/verify/{code}", response_model=PublicCard, summary="Xác thực thẻ đoàn viên (không cần đăng nhập)")
async def verify(code: str, principal: CurrentPrincipal, session: Session) -> PublicCard:
    normalised = normalise_verification_code(code) if len(code) <= 40 else None
    found = await CardRepository(session).verify(normalised) if normalised else None
    if found is None:
        raise no_match()
    return PublicCard(
        full_name=found.full_name,
        member_code=found.member_code,
        unit_name=found.unit_name,
        member_status=found.member_status,
        card_status=found.status,
        card_status_vi=STATUS_VI[found.status],
        kind=found.kind,
        valid=found.status in ("printed", "delivered") and found.member_status == "active",
    )
