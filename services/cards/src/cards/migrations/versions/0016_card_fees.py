"""Card fees: an effective-dated schedule (blank, printing, linked card; who pays each), the units that pay salaries
through the bank (their linked cards are free), each order's fee breakdown and its lines per unit.

The first schedule is seeded from today's settings (`regular_card_price_vnd`, `linked_card_price_vnd`), the regular
price split as seed 001 says (a 3,000 VND blank, printing 10,000 VND including the blank), so an order placed after
the upgrade costs what it cost before. Existing orders keep their unit price and total, split the same way; their
lines come from the cards they hold now.

Revision ID: 0016
"""

from datetime import date

from alembic import op
from sqlalchemy import text

from cards.adapters.tables import card_fee_schedules, metadata, print_order_fee_lines, salary_through_bank
from cards.config import CardsSettings

revision = "0016"
down_revision = "0015"

FIRST_DAY = date(2019, 1, 1)  # the plan of seed 001 (2019): the prices every order so far was placed at
BLANK_VND = 3_000
DECISION = "Giá theo kế hoạch in, đổi thẻ đoàn viên (phôi 3.000 đ; in 10.000 đ/thẻ gồm phôi; thẻ liên kết 50.000 đ)"


def upgrade() -> None:
    bind = op.get_bind()
    # Earlier migrations create tables from today's metadata: a new database has them and the columns already.
    metadata.create_all(bind, tables=[card_fee_schedules, salary_through_bank, print_order_fee_lines])
    for column in ("blank_vnd", "printing_vnd", "linked_vnd", "waived_count"):
        op.execute(f"ALTER TABLE print_orders ADD COLUMN IF NOT EXISTS {column} integer NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE print_orders ADD COLUMN IF NOT EXISTS waived_vnd bigint NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE print_orders ADD COLUMN IF NOT EXISTS fee_schedule_from date")
    settings = CardsSettings()
    regular, linked = settings.regular_card_price_vnd, settings.linked_card_price_vnd
    blank = min(BLANK_VND, regular)
    bind.execute(
        text(
            "INSERT INTO card_fee_schedules (effective_from, blank_vnd, printing_vnd, linked_vnd, blank_paid_by, "
            "printing_paid_by, linked_paid_by, decision, created_by) VALUES (:day, :blank, :printing, :linked, "
            "'member_unit', 'member_unit', 'member_unit', :decision, 'migration 0016') ON CONFLICT DO NOTHING"
        ),
        {"day": FIRST_DAY, "blank": blank, "printing": regular - blank, "linked": linked, "decision": DECISION},
    )
    bind.execute(
        text(
            "UPDATE print_orders SET blank_vnd = least(:blank, unit_price_vnd), "
            "printing_vnd = unit_price_vnd - least(:blank, unit_price_vnd) "
            "WHERE kind = 'regular' AND fee_schedule_from IS NULL AND blank_vnd + printing_vnd = 0"
        ),
        {"blank": BLANK_VND},
    )
    op.execute(
        "UPDATE print_orders SET linked_vnd = unit_price_vnd "
        "WHERE kind = 'linked' AND fee_schedule_from IS NULL AND linked_vnd = 0"
    )
    op.execute(
        "INSERT INTO print_order_fee_lines (order_id, unit_id, card_count, waived_count) "
        "SELECT order_id, unit_id, count(*), 0 FROM cards WHERE order_id IS NOT NULL GROUP BY order_id, unit_id "
        "ON CONFLICT DO NOTHING"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS print_order_fee_lines, salary_through_bank, card_fee_schedules")
    for column in ("fee_schedule_from", "blank_vnd", "printing_vnd", "linked_vnd", "waived_count", "waived_vnd"):
        op.execute(f"ALTER TABLE print_orders DROP COLUMN IF EXISTS {column}")
