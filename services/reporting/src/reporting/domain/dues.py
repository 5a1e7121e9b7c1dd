"""How dues records move the dues figures of a subtree (số liệu thu đoàn phí), free of frameworks.

Each grassroots union records a month's dues once and may correct it: the correction replaces the record, so a
subtree's month is the sum of its units' latest records. A poll's records are folded here into each unit's latest
record and the change it brings to the sums (a first record also adds a unit reporting).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from uuid import UUID

DuesKey = tuple[UUID, date]  # unit, month (first day)


@dataclass(frozen=True, slots=True)
class DuesMonth:
    members_paid: int = 0
    members_exempt: int = 0
    collected_vnd: int = 0
    norm_vnd: int = 0
    upper_share_vnd: int = 0
    grassroots_share_vnd: int = 0
    units_reporting: int = 1


AMOUNTS = tuple(field.name for field in fields(DuesMonth))


def fold(
    stored: Mapping[DuesKey, DuesMonth], records: Iterable[tuple[DuesKey, DuesMonth]]
) -> tuple[dict[DuesKey, DuesMonth], dict[DuesKey, DuesMonth]]:
    """The latest record of each unit's month and the change of the sums (a DuesMonth of differences)."""
    latest: dict[DuesKey, DuesMonth] = {}
    for key, record in records:
        latest[key] = record
    changes = {}
    for key, record in latest.items():
        before = stored.get(key, DuesMonth(units_reporting=0))
        changes[key] = DuesMonth(**{name: getattr(record, name) - getattr(before, name) for name in AMOUNTS})
    return latest, changes
