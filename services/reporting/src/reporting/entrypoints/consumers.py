"""What reporting consumes: the union tree (replica and history), every member change, every card step and every
month of dues recorded."""

from __future__ import annotations

from chassis.consumer import Handler, batched
from chassis.settings import ServiceSettings
from contracts.base import IntegrationEvent
from contracts.envelope import Envelope
from contracts.events import cards_card_v1, dues_collection_v1, members_member_v1, orgtree_unit_v1
from contracts.wellknown import vietnamese_date
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.application import read_model
from reporting.domain.dues import DuesMonth
from reporting.domain.facts import MemberChange


def member_change(event: members_member_v1.MemberEvent, envelope: Envelope) -> MemberChange:
    # The day of each change is when it happened (the envelope's time, written with the change), not when it arrived.
    member = event.member
    return MemberChange(
        envelope.id,
        vietnamese_date(envelope.time),
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


async def apply_dues_records(
    session: AsyncSession, events: list[dues_collection_v1.DuesMonthRecorded], _: list[Envelope]
) -> None:
    await read_model.apply_dues(
        session,
        [
            (
                event.collection.unit_id,
                event.collection.month,
                DuesMonth(
                    event.collection.members_paid,
                    event.collection.members_exempt,
                    event.collection.collected_vnd,
                    event.collection.norm_vnd,
                    event.collection.upper_share_vnd,
                    event.collection.grassroots_share_vnd,
                ),
            )
            for event in events
        ],
    )


apply_member_change = batched(apply_member_changes)
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
