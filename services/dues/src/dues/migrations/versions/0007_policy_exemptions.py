"""Each policy carries its list of exemption reasons and the part of the upper share a level above the
grassroots unions keeps (remittances between upper levels); each remittance names the unit it went to.

Revision ID: 0007

The policies seeded by 0002 and those added since get the reasons in force since 2023 and keep nothing at upper
levels (every level passes on what it receives) until the national centre adds a policy that says otherwise.
"""

from alembic import op

from dues.adapters.tables import STANDARD_EXEMPTIONS_JSON

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.execute(
        "ALTER TABLE dues_policies ADD COLUMN IF NOT EXISTS exemption_reasons jsonb NOT NULL "
        f"DEFAULT '{STANDARD_EXEMPTIONS_JSON}'::jsonb"
    )
    op.execute(
        "ALTER TABLE dues_policies ADD COLUMN IF NOT EXISTS upper_level_keeps_percent integer NOT NULL DEFAULT 0"
    )
    # Remittances recorded before went from a grassroots union to its parent.
    op.execute("ALTER TABLE dues_remittances ADD COLUMN IF NOT EXISTS upper_unit_id uuid")
    op.execute(
        "UPDATE dues_remittances r SET upper_unit_id = u.parent_id FROM tree_units u "
        "WHERE u.unit_id = r.unit_id AND r.upper_unit_id IS NULL"
    )


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
