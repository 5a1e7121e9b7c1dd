"""Grassroots unions by their members (the size bands) rolled up on write like the figures; the figures and
movements summed per year.

Revision ID: 0009

The units report's "grassroots unions by member count as of a past day" walked the tree's history down to every
union of that day and summed each one's members then: 4.7 s for the country. Now every active grassroots union
counts one in the band of its members (`domain/units.py` SIZE_BANDS) under the figure dimension `grassroots_members`
(value: the band's lower bound) for itself and every unit above it, from the day it entered that band: a past day's
distribution is a figure like any other, read from a few rows (the whole months from the month table).

The bands are not sums of the members' changes, so a statement trigger on `subtree_figure_days` keeps them. Each
grassroots union's band of every day it changed is kept in `grassroots_bands` (what the rolled-up rows say of it).
A statement that changes a union's counted members (active, suspended) or whether it is an active grassroots union
(`unit_type`), from day S on, has the union's bands from S on recounted from its own rows and compared with the kept
ones: each difference goes up the tree (now) as a change of its day, like the figures, and the kept bands take the
new ones. Recounting against what is kept, not against the statement's change, stays exact when one statement fires
both the insert and the update trigger (INSERT ... ON CONFLICT DO UPDATE). A union moved keeps its bands; its
rolled-up rows move with its subtree's figures (`move_subtree`), like every other figure.

The year tables (`subtree_figure_years`, `subtree_movement_years`) are to the month tables what these are to the
day tables (migration 0008), kept by the same kind of statement triggers on the month tables: a year's development
report reads a row per figure instead of twelve.
"""

from alembic import op

from reporting.adapters.tables import metadata
from reporting.domain.movements import COUNTED_STATUSES
from reporting.migrations.rollups import backfill, rollup_statements
from reporting.domain.units import GRASSROOTS, GRASSROOTS_BANDS, SIZE_BANDS

revision = "0009"
down_revision = "0008"

_COUNTED = ", ".join(f"'{status}'" for status in sorted(COUNTED_STATUSES))
_OWN = f"((f.dimension = 'status' AND f.value IN ({_COUNTED})) OR (f.dimension = 'unit_type' AND f.value = '{GRASSROOTS}'))"
_BAND = "CASE " + " ".join(f"WHEN {{members}} >= {lower} THEN {lower}" for lower in reversed(SIZE_BANDS[1:])) + " ELSE 0 END"

# Recounts the bands of the unions `units` from the days `since` on (one each; '-infinity': all their days).
_REBAND = f"""
CREATE OR REPLACE FUNCTION grassroots_bands_from(units uuid[], since date[]) RETURNS void LANGUAGE sql AS $$
WITH recount AS (
    SELECT own.unit_id, own.since, own.day,
           sum(own.members) OVER (PARTITION BY own.unit_id ORDER BY own.day) AS members,
           sum(own.unions) OVER (PARTITION BY own.unit_id ORDER BY own.day) AS unions
    FROM (SELECT f.unit_id, asked.since, f.day,
                 coalesce(sum(f.members) FILTER (WHERE f.dimension = 'status'), 0) AS members,
                 coalesce(sum(f.members) FILTER (WHERE f.dimension = 'unit_type'), 0) AS unions
          FROM unnest(units, since) AS asked(unit_id, since)
          JOIN subtree_figure_days f ON f.unit_id = asked.unit_id AND {_OWN}
          GROUP BY 1, 2, 3) AS own
), banded AS (
    SELECT recount.unit_id, recount.day,
           CASE WHEN recount.unions > 0 THEN {_BAND.format(members="recount.members")} END AS band,
           (SELECT kept.band FROM grassroots_bands kept
            WHERE kept.unit_id = recount.unit_id AND kept.day <= recount.day
            ORDER BY kept.day DESC LIMIT 1) AS was
    FROM recount WHERE recount.day >= recount.since
), steps AS (
    -- The first day's bands before it are the kept ones, both ways: they cancel.
    SELECT unit_id, day, band, was,
           lag(band) OVER (PARTITION BY unit_id ORDER BY day) AS band_before,
           lag(was) OVER (PARTITION BY unit_id ORDER BY day) AS was_before
    FROM banded
), moved AS (
    SELECT steps.unit_id, steps.day, step.band, sum(step.units) AS units
    FROM steps CROSS JOIN LATERAL (VALUES (steps.band, 1), (steps.band_before, -1), (steps.was, -1),
                                          (steps.was_before, 1)) AS step(band, units)
    WHERE step.band IS NOT NULL
    GROUP BY 1, 2, 3
    HAVING sum(step.units) <> 0
), rolled AS (
    SELECT link.ancestor_id AS unit_id, moved.day, moved.band::text AS value, sum(moved.units) AS units
    FROM moved JOIN tree_closure link ON link.descendant_id = moved.unit_id
    GROUP BY 1, 2, 3
    HAVING sum(moved.units) <> 0
), days AS (
    INSERT INTO subtree_figure_days (unit_id, dimension, day, value, members)
    SELECT unit_id, '{GRASSROOTS_BANDS}', day, value, units FROM rolled ORDER BY unit_id, day, value
    ON CONFLICT (unit_id, dimension, day, value) DO UPDATE SET members = subtree_figure_days.members + EXCLUDED.members
    RETURNING 1
), now AS (
    INSERT INTO subtree_figures (unit_id, dimension, value, members)
    SELECT unit_id, '{GRASSROOTS_BANDS}', value, sum(units) FROM rolled GROUP BY 1, 3 HAVING sum(units) <> 0
    ORDER BY 1, 3
    ON CONFLICT (unit_id, dimension, value) DO UPDATE SET members = subtree_figures.members + EXCLUDED.members
    RETURNING 1
)
INSERT INTO grassroots_bands (unit_id, day, band)
SELECT unit_id, day, band FROM banded ORDER BY 1, 2
ON CONFLICT (unit_id, day) DO UPDATE SET band = EXCLUDED.band WHERE grassroots_bands.band IS DISTINCT FROM EXCLUDED.band
$$"""

_BAND_LOCK = 0x62616E64  # "band"
_TRIGGER = f"""
CREATE OR REPLACE FUNCTION subtree_figure_days_into_bands() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    units uuid[];
    since date[];
BEGIN
    SELECT array_agg(f.unit_id ORDER BY f.unit_id), array_agg(f.day ORDER BY f.unit_id) INTO units, since
    FROM (SELECT f.unit_id, min(f.day) AS day FROM new_rows f
          WHERE {_OWN}
            AND EXISTS (SELECT 1 FROM tree_units unit WHERE unit.unit_id = f.unit_id AND unit.type_code = '{GRASSROOTS}')
          GROUP BY 1) AS f;
    IF units IS NOT NULL THEN
        -- Two consumers may change one union's figures at once (members of one union, in two polls): the second
        -- waits for the first to commit, then recounts in a new snapshot, against the bands the first kept.
        PERFORM pg_advisory_xact_lock({_BAND_LOCK}, hashtext(locked.unit_id::text))
        FROM (SELECT unit_id FROM unnest(units) AS unit_id ORDER BY 1) AS locked;
        PERFORM grassroots_bands_from(units, since);
    END IF;
    RETURN NULL;
END $$"""

TRIGGERS = ("subtree_figure_days_banded", "subtree_figure_days_rebanded")

# (month table, year table, key columns besides the unit and the month/year): like migration 0008's months.
_YEARS = (
    ("subtree_figure_months", "subtree_figure_years", ("dimension", "value")),
    ("subtree_movement_months", "subtree_movement_years", ("kind", "female")),
)


def upgrade() -> None:
    metadata.create_all(op.get_bind())
    for months, years, keys in _YEARS:
        op.execute(backfill(months, years, keys, "month", "year"))
        for statement in rollup_statements(months, years, keys, "month", "year"):
            op.execute(statement)
    op.execute(_REBAND)
    op.execute(_TRIGGER)
    inserted, updated = TRIGGERS
    for name, event, tables in (
        (inserted, "INSERT", "NEW TABLE AS new_rows"),
        (updated, "UPDATE", "NEW TABLE AS new_rows"),
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON subtree_figure_days")
        op.execute(f"""CREATE TRIGGER {name} AFTER {event} ON subtree_figure_days REFERENCING {tables}
                       FOR EACH STATEMENT EXECUTE FUNCTION subtree_figure_days_into_bands()""")
    # The unions known so far, all their days.
    op.execute(f"""
        SELECT grassroots_bands_from(array_agg(unit_id ORDER BY unit_id),
                                     array_agg(DATE '-infinity' ORDER BY unit_id))
        FROM tree_units WHERE type_code = '{GRASSROOTS}'
        HAVING count(*) > 0""")


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
