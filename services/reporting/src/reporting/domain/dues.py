"""How dues records move the dues figures of a subtree (số liệu thu đoàn phí), free of frameworks.

Each grassroots union records a month's dues once and may correct it: the correction replaces the record, so a
subtree's month is the sum of its units' latest records. A poll's records are folded here into each unit's latest
record and the change it brings to the sums (a first record also adds a unit reporting).

A grassroots union remits the upper share of a period of months to its upper level, which confirms it once. Each
remittance counts in the month that ends its period (the share of a period is complete only then), for the
remitting union and every unit above it: the first hop only (what the grassroots unions remitted of the upper share
they owe), so a district forwarding money to its province is not counted a second time in the province's figures.
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


REMITTED = ("remitted_vnd", "confirmed_vnd")  # rolled up beside AMOUNTS in the subtrees' months
# The unit types whose remittances are the first hop of the upper share: grassroots unions and professional unions
# (nghiệp đoàn cơ sở) remit what they owe of their own records; every level above forwards what reached it.
FIRST_HOP_TYPES = ("grassroots_union", "professional_union")


@dataclass(frozen=True, slots=True)
class Remittance:
    unit_id: UUID  # the unit that transferred
    month: date  # the first day of the period's last month
    amount_vnd: int
    confirmed: bool = False

    @property
    def key(self) -> DuesKey:
        return (self.unit_id, self.month)

    def amounts(self) -> tuple[int, int]:
        return self.amount_vnd, self.amount_vnd if self.confirmed else 0


def fold_remittances(
    stored: Mapping[UUID, Remittance], events: Iterable[tuple[UUID, Remittance]]
) -> tuple[dict[UUID, Remittance], dict[DuesKey, tuple[int, int]]]:
    """Each remittance's latest state (a confirmation is never undone, whatever order its events come in) and the
    change of (remitted, confirmed) it brings to its unit's month. An event seen again changes nothing."""
    latest: dict[UUID, Remittance] = {}
    for remittance_id, remittance in events:
        before = latest.get(remittance_id) or stored.get(remittance_id)
        confirmed = remittance.confirmed or (before is not None and before.confirmed)
        latest[remittance_id] = Remittance(remittance.unit_id, remittance.month, remittance.amount_vnd, confirmed)
    changes: dict[DuesKey, tuple[int, int]] = {}

    def add(key: DuesKey, amounts: tuple[int, int], sign: int) -> None:
        remitted, confirmed = changes.get(key, (0, 0))
        changes[key] = (remitted + sign * amounts[0], confirmed + sign * amounts[1])

    for remittance_id, remittance in latest.items():
        if (before := stored.get(remittance_id)) is not None:
            add(before.key, before.amounts(), -1)
        add(remittance.key, remittance.amounts(), 1)
    return latest, {key: change for key, change in changes.items() if change != (0, 0)}
