"""The partner catalogue (banks): registered and changed by the national centre's administrators.

A machine client may carry a partner code only if the partner is here and active, so a bank's client can only
be made for a bank the platform knows. Each change is published on `identity.partner.v1`: cards sends each
linked card to the partner registered for the nearest unit above its member (`linked_cards_unit_id`).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from chassis import tree
from chassis.errors import InvalidInput, RuleViolation, Unauthenticated
from chassis.ids import uuid7
from chassis.outbox import record_event
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from chassis.text import normalise
from contracts.events.identity_partner_v1 import PartnerChanged, PartnerSnapshot
from contracts.permissions import Permission
from contracts.wellknown import NATIONAL_CENTRE_ID
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.repository import PartnerRepository
from identity.domain.clients import Partner
from identity.domain.model import unit_unknown


@dataclass(frozen=True)
class PartnerChange:
    name: str
    linked_cards_unit_id: UUID | None
    status: str = "active"


def snapshot_of(partner: Partner) -> PartnerSnapshot:
    return PartnerSnapshot(**{name: getattr(partner, name) for name in PartnerSnapshot.model_fields})


class PartnerService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.partners = PartnerRepository(session)

    async def all(self, principal: Principal) -> list[Partner]:
        if principal.is_public or principal.user_id is None:
            raise Unauthenticated("Cần đăng nhập", "Login required")
        return await self.partners.all()

    async def put(self, principal: Principal, partner_code: str, change: PartnerChange) -> Partner:
        """Register the partner `partner_code`, or change it (a new version); either way one event."""
        await ensure_in_scope(self.session, principal, Permission.USERS_WRITE, NATIONAL_CENTRE_ID)
        if change.linked_cards_unit_id is not None:
            unit = await tree.get_unit(self.session, change.linked_cards_unit_id)
            if unit is None:
                raise unit_unknown(change.linked_cards_unit_id, "linked_cards_unit_id")
            if unit.status != "active":
                raise RuleViolation(
                    f"Đơn vị {unit.code} đã ngừng hoạt động",
                    f"Unit {unit.code} is no longer active",
                    code="unit-not-active",
                    field="linked_cards_unit_id",
                )
        current = await self.partners.by_code(partner_code, for_update=True)
        saved = await self.partners.save(
            {
                "partner_id": current.partner_id if current else uuid7(),
                "partner_code": partner_code,
                "name": normalise(change.name),
                "linked_cards_unit_id": change.linked_cards_unit_id,
                "status": change.status,
                "version": current.version + 1 if current else 1,
                "updated_by": principal.username,
            }
        )
        await record_event(self.session, PartnerChanged(partner_id=saved.partner_id, partner=snapshot_of(saved)))
        return saved

    async def ensure_known(self, partner_code: str) -> None:
        """A machine client speaks only for an active partner of the catalogue."""
        partner = await self.partners.by_code(partner_code)
        if partner is None or partner.status != "active":
            raise InvalidInput(
                f"Mã đối tác '{partner_code}' không có trong danh mục đối tác (hoặc đã ngừng hợp tác)",
                f"The partner code '{partner_code}' is not an active partner of the platform",
                code="unknown-partner",
                field="partner_code",
            )
