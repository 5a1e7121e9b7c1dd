"""What reporting consumes: the union tree (replica and history), every member change, every card step, every
month of dues recorded and every remittance of the upper share."""

from __future__ import annotations

from chassis.consumer import Handler, batched
from chassis.settings import ServiceSettings
from contracts.base import IntegrationEvent
from contracts.envelope import Envelope
from contracts.events import cards_card_v1, dues_collection_v1, members_member_v1, orgtree_unit_v1
from contracts.wellknown import vietnamese_date
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.application import read_model
from reporting.domain.dues import DuesMonth, Remittance
from reporting.domain.facts import MemberChange

# The events that bring a member into the registry: entered, then approved or rejected.
_ENTRY_EVENTS = frozenset(
    event.event_type
    for event in (members_member_v1.MemberCreated, members_member_v1.MemberApproved, members_member_v1.MemberRejected)
)


# What `member_change` reads of a member's snapshot (all but the name, the member code, the card type and the bank
# consent): the consumer validates these alone (`chassis.consumer.batched`).
SNAPSHOT_FIELDS = (
    "member_id",
    "unit_id",
    "status",
    "gender",
    "is_foreign",
    "version",
    "joined_on",
    "date_of_birth",
    "nationality",
    "ethnicity",
    "religion",
    "education",
    "position",
    "has_photo",
    "has_id_number",
    "has_phone",
)


def member_change(event: members_member_v1.MemberEvent, envelope: Envelope) -> MemberChange:
    """The day of each change is when it happened (the envelope's time, written with the change), not when it
    arrived; but a member entered with an earlier join date (the migration of existing members, a list entered
    late) is a member since that day: its entry is dated then, which opens the ledger that far back."""
    member = event.member
    day = vietnamese_date(envelope.time)
    if envelope.type in _ENTRY_EVENTS and member.joined_on is not None:
        day = min(day, member.joined_on)
    return MemberChange(
        envelope.id,
        day,
        member.member_id,
        member.unit_id,
        member.status,
        member.gender,
        member.is_foreign,
        member.version,
        birth_year=member.date_of_birth.year,
        nationality=member.nationality,
        ethnicity=member.ethnicity,
        religion=member.religion,
        education=member.education,
        is_officer=bool(member.position and member.position.strip()),
        has_photo=member.has_photo,
        has_id_number=member.has_id_number,
        has_phone=member.has_phone,
    )


async def apply_member_changes(
    session: AsyncSession, events: list[members_member_v1.MemberEvent], envelopes: list[Envelope]
) -> None:
    await read_model.apply_member_changes(
        session, [member_change(event, envelope) for event, envelope in zip(events, envelopes, strict=True)]
    )


async def apply_card_changes(
    session: AsyncSession, events: list[cards_card_v1.CardEvent], envelopes: list[Envelope]
) -> None:
    await read_model.follow_cards(
        session,
        [
            (event.member_id, event.card.status, vietnamese_date(envelope.time))
            for event, envelope in zip(events, envelopes, strict=True)
        ],
    )


async def apply_unit_changes(session: AsyncSession, events: list[orgtree_unit_v1.UnitEvent], _: list[Envelope]) -> None:
    await read_model.apply_unit_changes(session, [event.unit for event in events])


async def apply_dues_records(session: AsyncSession, events: list[IntegrationEvent], _: list[Envelope]) -> None:
    # Months recorded and remittances share the topic (keyed by unit): one poll carries both, applied together.
    records = [event.collection for event in events if isinstance(event, dues_collection_v1.DuesMonthRecorded)]
    remittances = [
        event.remittance
        for event in events
        if isinstance(event, dues_collection_v1.DuesRemitted | dues_collection_v1.DuesRemittanceConfirmed)
    ]
    await read_model.apply_dues(
        session,
        [
            (
                record.unit_id,
                record.month,
                DuesMonth(
                    record.members_paid,
                    record.members_exempt,
                    record.collected_vnd,
                    record.norm_vnd,
                    record.upper_share_vnd,
                    record.grassroots_share_vnd,
                ),
            )
            for record in records
        ],
        [
            (
                remittance.remittance_id,
                Remittance(remittance.unit_id, remittance.month_to, remittance.amount_vnd, remittance.confirmed),
            )
            for remittance in remittances
        ],
    )


apply_member_change = batched(apply_member_changes, reads={"member": SNAPSHOT_FIELDS})
apply_dues_record = batched(apply_dues_records)
apply_card_change = batched(apply_card_changes)
apply_unit_change = batched(apply_unit_changes)


def handlers(_: ServiceSettings) -> dict[type[IntegrationEvent], Handler]:
    return {
        **dict.fromkeys(orgtree_unit_v1.EVENTS, apply_unit_change),
        **dict.fromkeys(members_member_v1.EVENTS, apply_member_change),
        **dict.fromkeys(cards_card_v1.EVENTS, apply_card_change),
        **dict.fromkeys(dues_collection_v1.EVENTS, apply_dues_record),
    }
