"""A member's consent to share ID number, date of birth and phone with the bank that issues their linked card.

The consent (its date) is on the member and in its events; the data itself goes only to cards, on
`members.bank_identity.v1`, while the consent holds: again when any of it is corrected, and a withdrawal tells cards
to forget it. cards then puts it in the feed items of the member's own bank, and keeps a card of a member who did
not consent out of every bank's feed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from chassis.errors import InvalidInput
from chassis.outbox import record_event
from chassis.principal import Principal
from contracts.events.members_bank_identity_v1 import BankIdentityWithdrawn
from contracts.events.members_member_v1 import MemberUpdated
from contracts.permissions import Permission
from contracts.wellknown import vietnamese_date

from members.application.service import MemberService, shared_identity
from members.domain.lifecycle import next_status
from members.domain.model import Member


async def record_bank_consent(
    service: MemberService, principal: Principal, member_id: UUID, given_on: date | None
) -> Member:
    """Record the consent given on `given_on` (the date on the member's signed form), or withdraw it (None)."""
    member = await service.get(principal, member_id, Permission.MEMBERS_WRITE, for_update=True)
    next_status(member.status, "correct")
    # The day on the member's form is a day in Việt Nam: from 17:00 UTC it is already tomorrow's date there.
    if given_on is not None and given_on > vietnamese_date(datetime.now(UTC)):
        raise InvalidInput(
            "Ngày đồng ý không thể sau hôm nay",
            "The consent date cannot be in the future",
            code="future-date",
            field="given_on",
        )
    if given_on == member.bank_consent_on:
        raise InvalidInput(
            "Sự đồng ý của đoàn viên không thay đổi",
            "The member's consent is unchanged",
            code="nothing-changed",
            field="given_on",
        )
    changed = member.changed(bank_consent_on=given_on)
    change = "bank_consent_given" if given_on is not None else "bank_consent_withdrawn"
    await service.save_change(
        changed, principal, change, None, {"from": str(member.bank_consent_on or ""), "to": str(given_on or "")}
    )
    await record_event(
        service.session,
        MemberUpdated(member_id=member_id, member=changed.snapshot(), changed_fields=["bank_consent_on"]),
    )
    await record_event(
        service.session,
        shared_identity(changed)
        if given_on is not None
        else BankIdentityWithdrawn(member_id=member_id, version=changed.version),
    )
    return changed
