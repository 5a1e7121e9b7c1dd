"""Cards' tables: its view of members (fed by member events) and the cards themselves, with history.

Both carry the member's current unit so the chassis scope helper can filter them; a transfer moves
the member's cards to the new unit, because the new unit now answers for them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

# Order numbers and the national centre's card numbers: never cycle, never reused (a rollback leaves a gap).
print_order_number_seq = Sequence("print_order_number_seq", start=1, maxvalue=999_999, metadata=metadata)
card_number_seq = Sequence("card_number_seq", start=1, maxvalue=9_999_999_999, metadata=metadata)

card_holders = Table(
    "card_holders",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("member_code", Text),
    Column("full_name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("card_type", Text),
    # Whether members holds the member's 3×4 photo: a card whose member has none is flagged on its order and face.
    Column("has_photo", Boolean, nullable=False, server_default=text("false")),
    Column("version", Integer, nullable=False),
    info={"scoped_by": "unit_id"},
)

# cards' view of identity's partner catalogue (`identity.partner.v1`): a linked card goes to the active partner
# registered for the nearest unit above its member (the national centre's for everyone, unless a province or a
# sector union registered its own bank).
card_partners = Table(
    "card_partners",
    metadata,
    Column("partner_id", Uuid, primary_key=True),
    Column("partner_code", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("linked_cards_unit_id", Uuid),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
)

cards = Table(
    "cards",
    metadata,
    Column("card_id", Uuid, primary_key=True),
    Column("member_id", Uuid, nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("member_code", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("card_number", Text, unique=True),
    # The bank that issues a linked card (its partner code); null for a regular card.
    Column("partner", Text),
    Column("verification_code", Text, nullable=False, unique=True),
    Column("replaces_card_id", Uuid, ForeignKey("cards.card_id")),
    # The print order that took the card (set when ordered, kept afterwards; cleared if the order is cancelled).
    Column("order_id", Uuid, ForeignKey("print_orders.order_id")),
    Column("requested_by", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("status_changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("version", Integer, nullable=False, server_default=text("1")),
    # Where a printed card is on its way down the tree: the unit it was handed to (or, fresh from the printer, its
    # ordering unit) and whether that unit has confirmed receipt (`on_the_way` → `held`). It reaches its member's
    # unit, which confirms it: the card is `delivered`.
    Column("delivery_unit_id", Uuid),
    Column("delivery_state", Text),
    # The day the member's unit handed the delivered card to the member, and who recorded it.
    Column("handed_over_on", Date),
    Column("handed_over_by", Text),
    # At most one card on its way per member: concurrent requests cannot both win.
    Index(
        "cards_one_open_per_member",
        "member_id",
        unique=True,
        postgresql_where=text("status in ('requested', 'ordered', 'printed')"),
    ),
    Index("cards_unit_requested", "unit_id", "requested_at", "card_id"),
    Index("cards_member", "member_id"),
    Index("cards_partner_history", "partner", postgresql_where=text("partner is not null")),
    # What a print order gathers: the requested cards of one kind in a subtree.
    Index("cards_requested", "kind", "unit_id", postgresql_where=text("status = 'requested'")),
    Index("cards_in_order", "order_id", "card_id", postgresql_where=text("order_id is not null")),
    Index("cards_on_their_way", "order_id", "delivery_unit_id", postgresql_where=text("status = 'printed'")),
    info={"scoped_by": "unit_id"},
)

# Đơn đặt in thẻ: the requested cards of a subtree, gathered by a unit that may order cards, for one supplier.
# Its three moments (placed, printed, cancelled) are columns: an order is never edited otherwise.
print_orders = Table(
    "print_orders",
    metadata,
    Column("order_id", Uuid, primary_key=True),
    Column("order_number", Text, nullable=False, unique=True),
    Column("unit_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("supplier", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("card_count", Integer, nullable=False),
    Column("unit_price_vnd", Integer, nullable=False),
    Column("total_vnd", BigInteger, nullable=False),
    Column("note", Text),
    Column("placed_by", Text, nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("printed_by", Text),
    Column("printed_at", DateTime(timezone=True)),
    Column("cancelled_by", Text),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("cancel_reason", Text),
    Column("version", Integer, nullable=False),
    # Cards whose member has no 3×4 photo are left out of an order unless the unit chose to include them; how many
    # were left out is kept, so the order says it (they stay requested, for a later order).
    Column("include_without_photo", Boolean, nullable=False, server_default=text("false")),
    Column("left_out_without_photo", Integer, nullable=False, server_default=text("0")),
    # The fee breakdown taken from the schedule in force on the order's day (`card_fee_schedules`), per card: the
    # blank and its printing for a regular card, the linked card's fee; and the linked cards waived because their
    # unit pays salaries through the bank. Orders placed before the schedule existed keep their one unit price,
    # split in migration 0016 (`fee_schedule_from` null).
    Column("fee_schedule_from", Date),
    Column("blank_vnd", Integer, nullable=False, server_default=text("0")),
    Column("printing_vnd", Integer, nullable=False, server_default=text("0")),
    Column("linked_vnd", Integer, nullable=False, server_default=text("0")),
    Column("waived_count", Integer, nullable=False, server_default=text("0")),
    Column("waived_vnd", BigInteger, nullable=False, server_default=text("0")),
    Index("print_orders_unit_placed", "unit_id", "placed_at", "order_id"),
    info={"scoped_by": "unit_id"},
)

# Each level's confirmation for its own part of an order on the way down: received from above, or handed down to a
# unit below it (how many cards, who, when).
card_handoffs = Table(
    "card_handoffs",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("order_id", Uuid, ForeignKey("print_orders.order_id"), nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("step", Text, nullable=False),
    Column("to_unit_id", Uuid),
    Column("card_count", Integer, nullable=False),
    Column("confirmed_by", Text, nullable=False),
    Column("confirmed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("step IN ('received', 'handed_down')", name="card_handoffs_step"),
    Index("card_handoffs_order", "order_id", "id"),
    info={"scoped_by": "unit_id"},
)

# Trả lời của ngân hàng: one per linked card, from the client of the card's bank: issued (the bank's own card number
# and the date) or rejected (why). The key makes a second answer impossible, concurrent ones included.
issuance_answers = Table(
    "issuance_answers",
    metadata,
    Column("card_id", Uuid, ForeignKey("cards.card_id"), primary_key=True),
    Column("partner", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("bank_card_number", Text),
    Column("issued_on", Date),
    Column("reason", Text),
    Column("answered_by", Text, nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("outcome IN ('issued', 'rejected')", name="issuance_answers_outcome"),
)

card_history = Table(
    "card_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("card_id", Uuid, ForeignKey("cards.card_id"), nullable=False, index=True),
    Column("status", Text, nullable=False),
    Column("note", Text),
    Column("changed_by", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Đường phát hành của ngân hàng: every step of a linked card, in the order a bank follows it. Filled by cards' own
# consumer of `cards.card.v1`, never by the transaction that moved the card: writers commit out of the order in
# which they take ids, so a cursor over an id given at insert skips steps that commit later. The consumer appends
# under one advisory lock, numbering each row after the last committed one (`position`), so a position is
# visible only once every smaller one is: a follower paging `position > after` never misses a step.
# One row per event (`event_id`, the bank's de-duplication key), with the card's version after the step.
issuance_feed = Table(
    "issuance_feed",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("partner", Text, nullable=False),
    Column("card_id", Uuid, nullable=False),
    Column("member_id", Uuid, nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("card_version", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("old_status", Text),
    Column("kind", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("card_number", Text),
    Column("order_id", Uuid),
    Column("replaces_card_id", Uuid),
    Column("note", Text),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("issuance_feed_partner_position", "partner", "position"),
    info={"scoped_by": "unit_id"},
)

# What the bank issuing a member's linked card may know to open the account, from `members.bank_identity.v1`: only
# members who consented (`consent_given_on`); a withdrawal blanks the row (its version stays, so an older event
# cannot bring the data back). Read only to enrich the feed of the member's own bank, never listed otherwise.
holder_bank_identities = Table(
    "holder_bank_identities",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("id_kind", Text),
    Column("id_number", Text),
    Column("date_of_birth", Date),
    Column("phone", Text),
    Column("consent_given_on", Date),
    Column("version", Integer, nullable=False),
)

# Each card holder's 3×4 photo at card resolution, from `members.photo.v1` (only cards reads that topic): a newer
# version replaces it, an older or equal one changes nothing. Personal data: read only to draw the card faces.
holder_photos = Table(
    "holder_photos",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("jpeg", LargeBinary, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Steps of linked cards kept out of every bank's feed, and why (`no-bank-consent`): the unit sees them
# (`GET /issuance/withheld`); once the member consents (again), they go to the feed in their order (`step`: the
# feed row as it would have been).
issuance_withheld = Table(
    "issuance_withheld",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("card_id", Uuid, nullable=False),
    Column("member_id", Uuid, nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("partner", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("step", JSONB, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("issuance_withheld_unit", "unit_id", "recorded_at"),
    Index("issuance_withheld_member", "member_id"),
    info={"scoped_by": "unit_id"},
)

# Signed webhooks per partner (a bank without Kafka): where to POST its feed, the secret it verifies the HMAC with
# (returned once, when made or rotated), and how far the feed was delivered (`position`: every step up to it was
# acknowledged with a 2xx, or parked).
partner_webhooks = Table(
    "partner_webhooks",
    metadata,
    Column("partner", Text, primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("position", BigInteger, nullable=False, server_default=text("0")),
    # Which sender delivers to the partner now, until when (renewed at every step and retry): a lease, not a row
    # lock, so nothing stays locked while the sender waits on the partner's endpoint (see application/webhooks.py).
    Column("lease_owner", Text),
    Column("lease_until", DateTime(timezone=True)),
    Column("updated_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# A step the partner's endpoint did not acknowledge after every retry: parked (visible, with the last error), so
# the steps after it go on; `retrying` once someone asks for it again, `delivered` when the endpoint took it.
webhook_parked = Table(
    "webhook_parked",
    metadata,
    Column("partner", Text, primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("state", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("retry_requested_by", Text),
    Column("delivered_at", DateTime(timezone=True)),
    CheckConstraint("state IN ('parked', 'retrying', 'delivered')", name="webhook_parked_state"),
    Index("webhook_parked_waiting", "partner", "position", postgresql_where=text("state <> 'delivered'")),
)

# A partner's own Kafka topic (`cards.issuance.<partner>.v1`, one partition: the feed's order), for a bank with
# Kafka: whether cards publishes to it and how far it has (`position`: every step up to it was acknowledged by the
# broker).
partner_topics = Table(
    "partner_topics",
    metadata,
    Column("partner", Text, primary_key=True),
    Column("topic", Text, nullable=False, unique=True),
    # When the publisher first found the topic there (made it, one partition, if missing): the bank may subscribe.
    Column("topic_ready_at", DateTime(timezone=True)),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("position", BigInteger, nullable=False, server_default=text("0")),
    Column("updated_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Which publisher sends the partner's steps now, until when (renewed when it settles): a lease, not a row lock
    # held while the broker acknowledges (like `partner_webhooks`).
    Column("lease_owner", Text),
    Column("lease_until", DateTime(timezone=True)),
)

# Card faces of a large order, made in the background a part at a time (`part_size` cards, one PDF each), so memory
# stays flat whatever the order's size; the parts are kept here until downloaded (one zip, streamed part by part).
face_jobs = Table(
    "face_jobs",
    metadata,
    Column("job_id", Uuid, primary_key=True),
    Column("order_id", Uuid, ForeignKey("print_orders.order_id"), nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("state", Text, nullable=False),
    Column("total", Integer, nullable=False),
    Column("done", Integer, nullable=False, server_default=text("0")),
    Column("part_size", Integer, nullable=False),
    Column("parts", Integer, nullable=False, server_default=text("0")),
    # The last card id made into a part: the next part starts after it (keyset over the order's cards).
    Column("after_card_id", Uuid),
    Column("error", Text),
    Column("requested_by", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
    CheckConstraint("state IN ('queued', 'running', 'ready', 'failed')", name="face_jobs_state"),
    Index("face_jobs_waiting", "requested_at", postgresql_where=text("state IN ('queued', 'running')")),
    info={"scoped_by": "unit_id"},
)

face_parts = Table(
    "face_parts",
    metadata,
    Column("job_id", Uuid, ForeignKey("face_jobs.job_id"), primary_key=True),
    Column("part", Integer, primary_key=True),
    Column("cards", Integer, nullable=False),
    Column("pdf", LargeBinary, nullable=False),
)


# Biểu phí thẻ: prices per card from a day on, never edited (a new schedule is added from a later day). Who pays each
# component: the member's own unit ("cấp nào cấp đó chi", seed 004) or the unit that placed the order.
card_fee_schedules = Table(
    "card_fee_schedules",
    metadata,
    Column("effective_from", Date, primary_key=True),
    Column("blank_vnd", Integer, nullable=False),
    Column("printing_vnd", Integer, nullable=False),
    Column("linked_vnd", Integer, nullable=False),
    Column("blank_paid_by", Text, nullable=False),
    Column("printing_paid_by", Text, nullable=False),
    Column("linked_paid_by", Text, nullable=False),
    Column("decision", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("blank_vnd >= 0 and printing_vnd >= 0 and linked_vnd >= 0", name="card_fee_amounts_not_negative"),
)

# Units that pay their members' salaries through the bank (seed 001, Kế hoạch 56/KH-TLĐ): their members' linked cards,
# and those of the units below them, are free. Set by an officer of the unit above.
salary_through_bank = Table(
    "salary_through_bank",
    metadata,
    Column("unit_id", Uuid, primary_key=True),
    Column("pays_through_bank", Boolean, nullable=False),
    Column("commitment", Text, nullable=False),
    Column("set_by", Text, nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    info={"scoped_by": "unit_id"},
)

# What each unit's members took of an order (the unit the card's member was in when the order was placed): the lines
# of the fee statement, so a statement per unit and period sums these instead of the cards.
print_order_fee_lines = Table(
    "print_order_fee_lines",
    metadata,
    Column("order_id", Uuid, ForeignKey("print_orders.order_id"), primary_key=True),
    Column("unit_id", Uuid, primary_key=True),
    Column("card_count", Integer, nullable=False),
    Column("waived_count", Integer, nullable=False),
    Index("print_order_fee_lines_unit", "unit_id", "order_id"),
    info={"scoped_by": "unit_id"},
)
