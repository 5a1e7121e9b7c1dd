"""What cards consumes: the union tree (replica), every member change (its view of card holders) and photo, identity's
partner catalogue (which bank issues whose linked cards), and its own card events (the banks' feed, numbered in
the order they are applied: see `tables.issuance_feed`)."""

from __future__ import annotations

from chassis.consumer import Handler, batched
from chassis.settings import ServiceSettings
from chassis.tree import tree_handlers
from contracts.base import IntegrationEvent
from contracts.envelope import Envelope
from contracts.events import (
    cards_card_v1,
    identity_partner_v1,
    members_bank_identity_v1,
    members_member_v1,
    members_photo_v1,
)
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.bank_identities import BankIdentityRepository
from cards.adapters.holder_photos import HolderPhotoRepository, checked_row
from cards.adapters.repository import SNAPSHOT_FIELDS, CardHolderRepository, IssuanceFeedRepository, PartnerRepository


async def apply_member_changes(
    session: AsyncSession, events: list[members_member_v1.MemberEvent], _: list[Envelope]
) -> None:
    await CardHolderRepository(session).apply([event.member for event in events])


apply_member_change = batched(apply_member_changes, reads={"member": SNAPSHOT_FIELDS})


async def apply_partner_changes(
    session: AsyncSession, events: list[identity_partner_v1.PartnerChanged], _: list[Envelope]
) -> None:
    await PartnerRepository(session).apply([event.partner for event in events])


apply_partner_change = batched(apply_partner_changes)


async def apply_bank_identities(session: AsyncSession, events: list, _: list[Envelope]) -> None:
    """Keep consented members' data; steps withheld for want of a consent now given go to the feed, in order."""
    identities = BankIdentityRepository(session)
    await identities.apply(events)
    consented = [event.member_id for event in events if isinstance(event, members_bank_identity_v1.BankIdentityShared)]
    await IssuanceFeedRepository(session).append(await identities.release(consented))


apply_bank_identity = batched(apply_bank_identities)


async def apply_holder_photos(
    session: AsyncSession, events: list[members_photo_v1.PhotoStored], _: list[Envelope]
) -> None:
    """Keep each holder's newest photo for the card faces; a JPEG the faces could not draw fails its event alone
    (dead-lettered after the consumer's attempts), never the poll."""
    await HolderPhotoRepository(session).apply([checked_row(event) for event in events])


apply_holder_photo = batched(apply_holder_photos)
NO_CONSENT = "no-bank-consent"


async def feed_card_steps(
    session: AsyncSession, events: list[cards_card_v1.CardEvent], envelopes: list[Envelope]
) -> None:
    """Each step of a bank's card (a linked card names its partner) goes to the banks' feed; regular cards do not.
    A step of a member whose consent to share their data with the bank does not hold is withheld, with the reason,
    for the unit to see."""
    steps = [
        {
            "event_id": envelope.id,
            "partner": event.card.partner,
            "card_id": event.card.card_id,
            "member_id": event.card.member_id,
            "unit_id": event.card.unit_id,
            "card_version": event.card.version,
            "status": event.card.status,
            "old_status": getattr(event, "old_status", None),
            "kind": event.card.kind,
            "reason": event.card.reason,
            "card_number": event.card.card_number,
            "order_id": event.card.order_id,
            "replaces_card_id": event.card.replaces_card_id,
            "note": getattr(event, "note", None),
            "occurred_at": envelope.time,
        }
        for event, envelope in zip(events, envelopes, strict=True)
        if event.card.partner is not None
    ]
    identities = BankIdentityRepository(session)
    consenting = await identities.consenting(list({step["member_id"] for step in steps}))
    await IssuanceFeedRepository(session).append([step for step in steps if step["member_id"] in consenting])
    await identities.withhold([step for step in steps if step["member_id"] not in consenting], NO_CONSENT)


feed_card_step = batched(feed_card_steps)


def handlers(_: ServiceSettings) -> dict[type[IntegrationEvent], Handler]:
    return {
        **tree_handlers(),
        **dict.fromkeys(members_member_v1.EVENTS, apply_member_change),
        **dict.fromkeys(cards_card_v1.EVENTS, feed_card_step),
        **dict.fromkeys(identity_partner_v1.EVENTS, apply_partner_change),
        **dict.fromkeys(members_bank_identity_v1.EVENTS, apply_bank_identity),
        **dict.fromkeys(members_photo_v1.EVENTS, apply_holder_photo),
    }
