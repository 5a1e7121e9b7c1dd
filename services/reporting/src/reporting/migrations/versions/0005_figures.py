"""Figures by dimension and movements rolled up the tree per day, the ledger's start and the tree's history.

Revision ID: 0005

Members known before this version are opened today with what their facts held then (status, gender, card status);
the dimensions facts did not keep are "not known" for them until their next event. Replaying `members.member.v1`
into an empty database gives every member its full profile and every day its figures.
"""

from alembic import op

from reporting.adapters.tables import metadata
from reporting.domain.figures import FACT_DIMENSIONS

_TODAY = "(now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
revision = "0005"
down_revision = "0004"

_COLUMNS = {"birth_year": "smallint", "nationality": "text", "ethnicity": "text", "religion": "text",
            "education": "text", "is_officer": "boolean NOT NULL DEFAULT false", "has_photo": "boolean",
            "has_id_number": "boolean", "has_phone": "boolean", "enterprise_type": "text", "sector": "text",
            "employer_size": "text"}
NOT_KNOWN = "''"
_KNOWN = {"gender": "fact.gender", "card_status": "fact.card_status"}
_VALUES = ", ".join([f"('{dimension}', {_KNOWN.get(dimension, NOT_KNOWN)})" for dimension in FACT_DIMENSIONS]
                    + ["('position', 'member')"])
_OPENING = f"""
SELECT fact.unit_id, 'status' AS dimension, fact.status AS value FROM member_facts fact
UNION ALL
SELECT fact.unit_id, opened.dimension, opened.value
FROM member_facts fact CROSS JOIN LATERAL (VALUES {_VALUES}) AS opened(dimension, value)
WHERE fact.status IN ('active', 'suspended')
"""


def upgrade() -> None:
    for column, kind in _COLUMNS.items():
        op.execute(f"ALTER TABLE member_facts ADD COLUMN IF NOT EXISTS {column} {kind}")
    op.execute("CREATE INDEX IF NOT EXISTS member_facts_unit ON member_facts (unit_id)")
    metadata.create_all(op.get_bind())
    op.execute("""INSERT INTO figure_ledger (opened_on)
                  SELECT CASE WHEN EXISTS (SELECT 1 FROM member_facts)
                              THEN (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date END
                  WHERE NOT EXISTS (SELECT 1 FROM figure_ledger)""")
    # The units the replica holds, from today: their past is not known here (reset the consumer group's
    # `orgtree.unit.v1` offsets into an empty database to learn it).
    op.execute(f"""
        INSERT INTO unit_versions (unit_id, version, valid_from, parent_id, code, name, type_code, status,
                                   enterprise_type)
        SELECT unit_id, version, {_TODAY}, parent_id, code, name, type_code, status, enterprise_type FROM tree_units
        ON CONFLICT DO NOTHING""")
    op.execute(f"""
        INSERT INTO subtree_figure_days (unit_id, dimension, day, value, members)
        SELECT link.ancestor_id, counted.dimension, {_TODAY}, counted.value, count(*)
        FROM tree_units unit
        CROSS JOIN LATERAL (VALUES ('unit_type', unit.type_code),
                                   ('grassroots_enterprise_type', CASE WHEN unit.type_code = 'grassroots_union'
                                                                  THEN coalesce(unit.enterprise_type, '') END))
             AS counted(dimension, value)
        JOIN tree_closure link ON link.descendant_id = unit.unit_id
        WHERE unit.status = 'active' AND counted.value IS NOT NULL
        GROUP BY 1, 2, 4
        ON CONFLICT DO NOTHING""")
    op.execute(f"""
        INSERT INTO subtree_figure_days (unit_id, dimension, day, value, members)
        SELECT link.ancestor_id, opened.dimension, {_TODAY}, opened.value, count(*)
        FROM ({_OPENING}) AS opened JOIN tree_closure link ON link.descendant_id = opened.unit_id
        GROUP BY 1, 2, 4
        ON CONFLICT DO NOTHING""")
    op.execute("""
        INSERT INTO subtree_figures (unit_id, dimension, value, members)
        SELECT unit_id, dimension, value, sum(members) FROM subtree_figure_days GROUP BY 1, 2, 3
        ON CONFLICT DO NOTHING""")
    # The ledger's movements so far, rolled up the tree of today (women: the member's gender now).
    op.execute("""
        INSERT INTO subtree_movement_days (unit_id, day, kind, female, members)
        SELECT link.ancestor_id, moved.occurred_on, moved.kind, coalesce(fact.gender = 'female', false), count(*)
        FROM membership_movements moved
        JOIN tree_closure link ON link.descendant_id = moved.unit_id
        LEFT JOIN member_facts fact ON fact.member_id = moved.member_id
        WHERE moved.kind <> 'opening'
          AND (moved.other_unit_id IS NULL OR NOT EXISTS (
              SELECT 1 FROM tree_closure other
              WHERE other.descendant_id = moved.other_unit_id AND other.ancestor_id = link.ancestor_id))
        GROUP BY 1, 2, 3, 4
        ON CONFLICT DO NOTHING""")


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
