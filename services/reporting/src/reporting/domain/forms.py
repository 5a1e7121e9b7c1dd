"""What a standard form is (biểu mẫu báo cáo), free of frameworks: a title and one or more sections, each a label
column and number columns (their Vietnamese headings, an optional heading group, whether they are summed, shares
and ratios), filled from the rows a report's use case answers. The forms themselves are defined in one place,
`domain/report_forms.py`; the workbook and PDF writers (`adapters/workbooks.py`) know nothing of any one form, so a
new form is a new definition there, not new SQL or new export code.

A column's `key` is a path into a row (`women.admitted`: the row's `women`, then its `admitted`), read from an
attribute or a mapping key alike, so the rows are the objects the use case made for the API's answer. The same
definition builds that answer's JSON rows (`answer`): each column's figure at its `answer` path (its key unless
named), beside the section's `fields` (the row's identity and what the JSON carries beyond the form's columns), so
the JSON, the workbook and the PDF of a report give the same figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Number = int | float | None


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    group: str | None = None  # heading over the run of adjacent columns of the same group (a second heading row)
    summed: bool = True  # the total row sums it; False: left empty there
    may_be_empty: bool = False  # a value absent stays empty (no target set); otherwise it is 0
    # A share: this row's `share_of` over the total row's (0..1). A ratio: the row's `ratio[0]` over `ratio[1]`,
    # empty when the denominator is 0 or absent. The workbook writes both as formulas over the cells they read.
    share_of: str | None = None
    ratio: tuple[str, str] | None = None
    # Its path in the JSON answer's row, when not its key; a ratio is in the JSON only where it names one (a share
    # needs the total row, which the JSON answers apart).
    answer: str | None = None

    @property
    def derived(self) -> bool:
        return self.share_of is not None or self.ratio is not None

    @property
    def path(self) -> str:
        """Where the JSON answer's row holds the column's figure."""
        return self.answer or self.key


def heading_groups(columns: Sequence[Column]) -> list[tuple[str | None, int, int]]:
    """The runs of adjacent columns under one group heading: (group or None, first index, last index). The writers
    draw a group over its run in a first heading row (merged cells), each column's heading in a second row; a
    column without a group takes both rows."""
    runs: list[tuple[str | None, int, int]] = []
    for index, column in enumerate(columns):
        if runs and column.group is not None and runs[-1][0] == column.group and runs[-1][2] == index - 1:
            runs[-1] = (column.group, runs[-1][1], index)
        else:
            runs.append((column.group, index, index))
    return runs


@dataclass(frozen=True)
class Section:
    label_heading: str  # may name a parameter of the report: "{by_label}"
    label: str  # the row's label: a format string over `row` ("{row.code} {row.name}")
    columns: tuple[Column, ...]
    title: str | None = None  # above the section's table, when a form has several
    total: str | None = "Tổng cộng"  # the label of the total row; None: no total row (the rows do not add up)
    # What the JSON answer's row holds besides the columns, read from the row as it is: its identity (unit, code,
    # name) and whole values a column reads a part of (`women`: every kind, where the form shows `women.admitted`).
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    code: str  # the file name's stem
    title: str  # may name parameters: "Số liệu đoàn viên theo {by_label}"
    sections: tuple[Section, ...]

    def unfilled(self, text: str) -> str:
        """`text` of the form (its title, a section's title or label heading) before a report fills it: each
        parameter named by what it stands for ("Số liệu đoàn viên theo tiêu chí"), as a menu shows it."""
        return re.sub(r"\{(\w+)[^}]*\}", lambda found: _UNFILLED.get(found[1], "…"), text)


# What each parameter of a form's texts stands for, before a report gives it.
_UNFILLED = {"by_label": "tiêu chí", "last": "cuối kỳ"}


@dataclass
class FilledSection:
    title: str | None
    label_heading: str
    columns: tuple[Column, ...]
    rows: list[tuple[str, list[Number]]]
    total: tuple[str, list[Number]] | None
    after_total: list[tuple[str, list[Number]]]  # e.g. the whole unit, whose transfers between rows cancel out


@dataclass
class FilledForm:
    title: str
    lines: list[str]  # under the title: the unit, the date or period
    sections: list[FilledSection]
    notes: list[str] = field(default_factory=list)


def value_at(row: Any, key: str) -> Any:
    """The value at the dotted `key` of `row`: each step an attribute or a mapping key; absent is None."""
    found = row
    for step in key.split("."):
        if found is None:
            return None
        found = found.get(step) if isinstance(found, Mapping) else getattr(found, step, None)
    return found


def _ratio(numerator: Number, denominator: Number) -> float | None:
    return None if not denominator or numerator is None else numerator / denominator


def _values(section: Section, row: Any) -> dict[str, Number]:
    """The row's figure of each plain column by key: as the row holds it, 0 when absent unless it may be empty."""
    found = {}
    for column in section.columns:
        if not column.derived:
            value = value_at(row, column.key)
            found[column.key] = 0 if value is None and not column.may_be_empty else value
    return found


def answer(section: Section, row: Any, *, digits: int = 4) -> dict[str, Any]:
    """The row of the API's JSON answer for `row`: the section's fields, then each column's figure at its path
    (ratios that name one rounded to `digits`); a column under a field (`women.admitted` under `women`) is the
    field's already."""
    found: dict[str, Any] = {name: value_at(row, name) for name in section.fields}
    values = _values(section, row)
    for column in section.columns:
        if column.path.split(".", 1)[0] in section.fields or (column.share_of is not None):
            continue
        if column.ratio is not None:
            if column.answer is None:
                continue
            value = _ratio(values.get(column.ratio[0]), values.get(column.ratio[1]))
            value = None if value is None else round(value, digits)
        else:
            value = values[column.key]
        *parents, name = column.path.split(".")
        place = found
        for step in parents:
            place = place.setdefault(step, {})
        place[name] = value
    return found


def fill_section(
    section: Section,
    rows: Sequence[Any],
    after_total: Sequence[tuple[str, Any]] = (),
    params: Mapping[str, Any] | None = None,
) -> FilledSection:
    """The section's cells for `rows` (and rows after the total, each a label and a row): numbers as the rows hold
    them, the total of each summed column, shares and ratios computed (the workbook writes them as formulas)."""
    params = params or {}
    plain = [column for column in section.columns if not column.derived]
    bases = [_values(section, row) for row in rows]
    totals: dict[str, Number] = {
        column.key: sum(b[column.key] or 0 for b in bases) if column.summed else None for column in plain
    }

    def cells(values: Mapping[str, Number]) -> list[Number]:
        found: list[Number] = []
        for column in section.columns:
            if column.share_of is not None:
                found.append(_ratio(values.get(column.share_of), totals.get(column.share_of)))
            elif column.ratio is not None:
                found.append(_ratio(values.get(column.ratio[0]), values.get(column.ratio[1])))
            else:
                found.append(values.get(column.key))
        return found

    return FilledSection(
        section.title.format(**params) if section.title else None,
        section.label_heading.format(**params),
        section.columns,
        [(section.label.format(row=row), cells(b)) for row, b in zip(rows, bases, strict=True)],
        (section.total, cells(totals)) if section.total else None,
        [(label, cells(_values(section, row))) for label, row in after_total],
    )


def fill(
    form: Form,
    lines: list[str],
    rows: Sequence[Sequence[Any]],
    *,
    after_total: Sequence[Sequence[tuple[str, Any]]] = (),
    notes: list[str] | None = None,
    **params: Any,
) -> FilledForm:
    """The form filled: `rows[i]` are the rows of its i-th section (`after_total[i]` those after its total)."""
    return FilledForm(
        form.title.format(**params),
        lines,
        [
            fill_section(section, section_rows, after_total[index] if index < len(after_total) else (), params)
            for index, (section, section_rows) in enumerate(zip(form.sections, rows, strict=True))
        ],
        notes or [],
    )
