"""Figures of a subtree by dimension, as of any day in the tree of that day (số liệu đoàn viên theo tiêu chí)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from chassis.errors import InvalidInput
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.permissions import Permission
from contracts.wellknown import vietnamese_date
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.figures import FigureRepository
from reporting.domain.figures import DIMENSIONS, STORED_AS, BreakdownRow, breakdown_rows, check_age_bands


@dataclass(frozen=True)
class Breakdown:
    unit_id: UUID
    unit_code: str | None
    unit_name: str | None
    by: str
    by_label: str
    as_of: date
    age_bands: list[int] | None
    rows: list[BreakdownRow]

    @property
    def total(self) -> int:
        return sum(row.members for row in self.rows)


_AGE_BANDS_WRONG = {
    "empty": ("cần ít nhất một mốc tuổi", "at least one bound is needed"),
    "out-of-range": ("mỗi mốc tuổi từ 1 đến 120", "each bound is between 1 and 120"),
    "not-increasing": ("các mốc tuổi phải tăng dần", "the bounds must increase"),
}


EARLIEST = date(1900, 1, 1)


def today() -> date:
    return vietnamese_date(datetime.now().astimezone())


async def ensure_answerable(
    figures: FigureRepository, first: date, last: date, first_field: str, last_field: str
) -> None:
    """Refuse days the figures cannot answer: after today, or before the first day they know (or 1900)."""
    if first < EARLIEST:
        raise InvalidInput(
            f"Ngày {first:%d/%m/%Y} trước năm 1900",
            f"The day {first} is before 1900",
            code="date-out-of-range",
            field=first_field,
        )
    if last > today():
        raise InvalidInput(
            f"Ngày {last:%d/%m/%Y} ở tương lai",
            f"The day {last} is in the future",
            code="date-in-future",
            field=last_field,
        )
    start = await figures.ledger_start()
    if start is not None and first < start:
        raise InvalidInput(
            f"Số liệu chỉ có từ ngày {start:%d/%m/%Y}; chọn ngày báo cáo từ ngày đó trở đi",
            f"Figures are known from {start.isoformat()} on; choose a report date from then on",
            code="before-ledger-start",
            field=first_field,
            extra={"earliest": start.isoformat()},
        )


class FigureService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.figures = FigureRepository(session)

    async def breakdown(
        self, principal: Principal, unit_id: UUID, by: str, as_of: date | None, age_bands: list[int]
    ) -> Breakdown:
        """Members of the unit's subtree by `by` at the end of `as_of` (today when None), in the tree of that day."""
        day = as_of or today()
        if by == "age_band" and (why := check_age_bands(age_bands)):
            vi, en = _AGE_BANDS_WRONG[why]
            raise InvalidInput(
                f"Nhóm tuổi không hợp lệ: {vi}", f"Invalid age bands: {en}", code="invalid-age-bands", field="age_bands"
            )
        await ensure_answerable(self.figures, day, day, "as_of", "as_of")
        await ensure_in_scope(self.session, principal, Permission.REPORTS_READ, unit_id)
        counts = await self.figures.figures(principal, unit_id, STORED_AS.get(by, by), as_of, today())
        unit = await self.figures.unit_on(principal, unit_id, day)
        return Breakdown(
            unit_id,
            unit.code if unit else None,
            unit.name if unit else None,
            by,
            DIMENSIONS[by],
            day,
            age_bands if by == "age_band" else None,
            breakdown_rows(by, counts, day.year, age_bands),
        )
