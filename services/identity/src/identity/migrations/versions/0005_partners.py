"""The partner catalogue, with VietinBank issuing the linked cards of the whole tree (seed 001).

Revision ID: 0005

The seed's event goes to the outbox like any change, so cards hears of it; cards knows it from its own
migration too (same id, same version), so a linked card requested before the event arrives has its bank.
"""


from alembic import op
from chassis.outbox import record_event_sync
from contracts.events.identity_partner_v1 import PartnerChanged, PartnerSnapshot
from contracts.wellknown import NATIONAL_CENTRE_ID, VIETINBANK_NAME, VIETINBANK_PARTNER_CODE, VIETINBANK_PARTNER_ID
from sqlalchemy import insert

from identity.adapters.tables import partners

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    connection = op.get_bind()
    partners.create(connection, checkfirst=True)
    snapshot = PartnerSnapshot(partner_id=VIETINBANK_PARTNER_ID, partner_code=VIETINBANK_PARTNER_CODE,
                               name=VIETINBANK_NAME, linked_cards_unit_id=NATIONAL_CENTRE_ID, status="active",
                               version=1)
    connection.execute(insert(partners).values(**snapshot.model_dump(), updated_by="migration 0005"))
    record_event_sync(connection, PartnerChanged(partner_id=snapshot.partner_id, partner=snapshot))


def downgrade() -> None:
    raise RuntimeError("history is kept: partners are never dropped")
