"""How member and card events move reporting's figures, free of frameworks.

Each member has one fact: the bucket it is counted in (unit, status, gender, nationality, card status), the
values it adds to each dimension of the figures (`domain/figures.py`) and the version of the member it
describes. A consumer's poll brings many events at once: they are folded here, in event order, into the members'
new facts, the movements of the ledger (one entry per event that moved the member, so a member suspended and
resumed within one poll still shows both), the change of each count (one figure per bucket, whatever the number
of members that moved in or out of it) and the change of each figure per unit, day, dimension and value.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from uuid import UUID

from reporting.domain.figures import FACT_DIMENSIONS, UnitProfile, values_of
from reporting.domain.movements import COUNTED_STATUSES, movements

Bucket = tuple[UUID, str, str, bool, str]  # unit_id, status, gender, is_foreign, card_status
FigureKey = tuple[UUID, date, str, str]  # unit_id (the member's own unit), day, dimension, value
# unit_id (the member's unit), other_unit_id (the other side of a transfer), day, kind, of a woman
MovementKey = tuple[UUID, UUID | None, date, str, bool]


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberProfile:
    """What the figures count a member by, as its events tell it (None: not known)."""

    birth_year: int | None = None
    nationality: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    education: str | None = None
    is_officer: bool = False
    has_photo: bool | None = None
    has_id_number: bool | None = None
    has_phone: bool | None = None


PROFILE_FIELDS = tuple(field.name for field in dataclasses.fields(MemberProfile))


@dataclass(frozen=True, slots=True)
class Fact(MemberProfile):
    member_id: UUID
    unit_id: UUID
    status: str
    gender: str
    is_foreign: bool
    card_status: str
    version: int
    # The unit's part of the profile, as it was when the member was last applied or the unit last changed.
    enterprise_type: str | None = None
    sector: str | None = None
    employer_size: str | None = None

    @property
    def bucket(self) -> Bucket:
        return self.unit_id, self.status, self.gender, self.is_foreign, self.card_status


@dataclass(frozen=True, slots=True)
class MemberChange(MemberProfile):
    """A member event as reporting reads it: the member's new state and the day it happened."""

    event_id: UUID
    occurred_on: date  # Vietnamese calendar day of the change
    member_id: UUID
    unit_id: UUID
    status: str
    gender: str
    is_foreign: bool
    version: int


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    event_id: UUID
    unit_id: UUID
    member_id: UUID
    occurred_on: date
    kind: str
    delta: int
    other_unit_id: UUID | None


@dataclass
class Effects:
    facts: dict[UUID, Fact]  # the facts that changed, by member
    ledger: list[LedgerEntry]
    counts: dict[Bucket, int]  # the change of each count; buckets that do not change are left out
    figures: dict[FigureKey, int] = dataclasses.field(default_factory=dict)  # likewise, for the figures
    movements: dict[MovementKey, int] = dataclasses.field(default_factory=dict)  # how many of each movement


# What a counted member's figures depend on (`figures.values_of`): members alike in all of it are one kind.
_KIND = attrgetter("unit_id", "status", "is_officer", *FACT_DIMENSIONS)


class _Figures:
    """The change of each figure: a member's old fact leaves its values, its new fact joins them, on the day.

    Members are counted per kind (unit, status and every value the figures read) and day, and each kind is spread
    over the dimensions once at the end: members imported or approved together in one union are often alike, and
    a member not counted (pending) is its unit and status only."""

    def __init__(self) -> None:
        self.kinds: Counter[tuple[date, tuple]] = Counter()
        self.facts: dict[tuple, Fact] = {}

    def _count(self, day: date, fact: Fact, delta: int) -> None:
        # A member not counted (pending, retired, ...) adds to its status only: its unit and status are its kind.
        kind = _KIND(fact) if fact.status in COUNTED_STATUSES else (fact.unit_id, fact.status)
        self.kinds[day, kind] += delta
        self.facts.setdefault(kind, fact)

    def move(self, day: date, before: Fact | None, after: Fact) -> None:
        if before is not None:
            self._count(day, before, -1)
        self._count(day, after, 1)

    def result(self) -> dict[FigureKey, int]:
        changes: Counter[FigureKey] = Counter()
        for (day, kind), delta in self.kinds.items():
            if delta:
                fact = self.facts[kind]
                for dimension, value in values_of(fact).items():
                    changes[fact.unit_id, day, dimension, value] += delta
        return {key: delta for key, delta in changes.items() if delta}


def apply_member_changes(
    facts: Mapping[UUID, Fact],
    card_statuses: Mapping[UUID, str],
    changes: Iterable[MemberChange],
    units: Mapping[UUID, UnitProfile] | None = None,
) -> Effects:
    """The effects of `changes` (in event order) on members whose facts are `facts` (absent: not seen yet) and
    whose cards are in `card_statuses`, in units whose profiles are `units` (absent: not known). A change not
    newer than the member's fact is skipped, as a redelivered or replayed event must be."""
    current = dict(facts)
    changed: dict[UUID, Fact] = {}
    ledger: list[LedgerEntry] = []
    figures = _Figures()
    flows: Counter[MovementKey] = Counter()
    units = units or {}
    for change in changes:
        before = current.get(change.member_id)
        if before is not None and before.version >= change.version:
            continue
        for moved in movements(
            (before.unit_id, before.status) if before is not None else None, change.unit_id, change.status
        ):
            ledger.append(
                LedgerEntry(
                    change.event_id,
                    moved.unit_id,
                    change.member_id,
                    change.occurred_on,
                    moved.kind,
                    moved.delta,
                    moved.other_unit_id,
                )
            )
            flows[moved.unit_id, moved.other_unit_id, change.occurred_on, moved.kind, change.gender == "female"] += 1
        unit = units.get(change.unit_id, UnitProfile())
        after = Fact(
            change.member_id,
            change.unit_id,
            change.status,
            change.gender,
            change.is_foreign,
            card_statuses.get(change.member_id, "none"),
            change.version,
            unit.enterprise_type,
            unit.sector,
            unit.employer_size,
            **{name: getattr(change, name) for name in PROFILE_FIELDS},
        )
        figures.move(change.occurred_on, before, after)
        current[change.member_id] = changed[change.member_id] = after
    return Effects(changed, ledger, _count_changes(facts, changed), figures.result(), dict(flows))


def follow_cards(facts: Mapping[UUID, Fact], card_statuses: Mapping[UUID, str], days: Mapping[UUID, date]) -> Effects:
    """The effects of members' cards reaching `card_statuses` (on `days`) on those of them already counted
    (`facts`)."""
    changed = {
        member_id: dataclasses.replace(fact, card_status=card_statuses[member_id])
        for member_id, fact in facts.items()
        if fact.card_status != card_statuses[member_id]
    }
    figures = _Figures()
    for member_id, fact in changed.items():
        figures.move(days[member_id], facts[member_id], fact)
    return Effects(changed, [], _count_changes(facts, changed), figures.result())


def _count_changes(before: Mapping[UUID, Fact], after: Mapping[UUID, Fact]) -> dict[Bucket, int]:
    counts: Counter[Bucket] = Counter()
    for member_id, fact in after.items():
        if (old := before.get(member_id)) is not None:
            counts[old.bucket] -= 1
        counts[fact.bucket] += 1
    return {bucket: delta for bucket, delta in counts.items() if delta}
