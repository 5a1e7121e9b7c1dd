"""Dues: the member view, the effective-dated policy (with the rules in force since 2023), recorded months.

Revision ID: 0002
"""

from datetime import date

from alembic import op
from sqlalchemy.dialects.postgresql import insert

from dues.adapters.tables import dues_policies, metadata

revision = "0002"
down_revision = "0001"

# 70/30 split since 2023; base salary 1,490,000 → 1,800,000 (1/7/2023) → 2,340,000 (1/7/2024); rate 1 % → 0.5 %
# (1/7/2025, Decision 61/QĐ-TLĐ); cap 10 % of the base salary a month. Later changes are added through the API.
POLICIES = (
    (date(2023, 1, 1), 10, 1_490_000, "Điều lệ Công đoàn Việt Nam; lương cơ sở NĐ 38/2019"),
    (date(2023, 7, 1), 10, 1_800_000, "lương cơ sở NĐ 24/2023"),
    (date(2024, 7, 1), 10, 2_340_000, "lương cơ sở NĐ 73/2024"),
    (date(2025, 7, 1), 5, 2_340_000, "61/QĐ-TLĐ"),
)


def upgrade() -> None:
    metadata.create_all(op.get_bind())
    op.execute(
        "CREATE TRIGGER dues_lines_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON dues_lines "
        "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()"
    )
    op.get_bind().execute(
        insert(dues_policies).on_conflict_do_nothing(),
        [{"effective_from": start, "rate_permille": rate, "base_salary_vnd": base, "cap_percent_of_base": 10,
          "grassroots_share_percent": 70, "decision": decision, "created_by": "migration 0002"}
         for start, rate, base, decision in POLICIES],
    )


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
