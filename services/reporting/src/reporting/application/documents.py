"""Each report's answer put into its standard form (`domain/report_forms.py`): the lines under the title, the rows of
each section, the notes. The workbook and PDF writers draw the filled form."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from reporting.application.figures import Breakdown
from reporting.application.periods import DuesReport, PeriodReport, UnitFigures
from reporting.application.targets import Progress
from reporting.domain.figures import LABELS, NOT_KNOWN_LABEL
from reporting.domain.forms import FilledForm, fill
from reporting.domain.report_forms import BREAKDOWN, DEVELOPMENT, DUES, TARGETS, UNITS
from reporting.domain.units import UNIT_TYPE_LABELS, size_band_label


def _period(first: date, last: date) -> str:
    return f"Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}"


def development_form(report: PeriodReport) -> FilledForm:
    notes = ['Dòng "Toàn đơn vị" không tính chuyển sinh hoạt giữa các đơn vị trực thuộc.']
    if report.restructured:
        notes.append("Trong kỳ có sắp xếp tổ chức: biến động được tính cho đơn vị của ngày xảy ra.")
    return fill(
        DEVELOPMENT,
        [report.total.name, _period(report.first, report.last)],
        [report.rows],
        after_total=[[("Toàn đơn vị", report.total)]],
        notes=notes,
    )


def breakdown_form(found: Breakdown) -> FilledForm:
    return fill(
        BREAKDOWN,
        [found.unit_name or str(found.unit_id), f"Tính đến ngày {found.as_of:%d/%m/%Y}"],
        [found.rows],
        by_label=found.by_label.lower(),
    )


def dues_form(report: DuesReport) -> FilledForm:
    return fill(
        DUES,
        [report.total["name"], f"Từ tháng {report.first:%m/%Y} đến tháng {report.last:%m/%Y}"],
        [report.months, report.rows],
        after_total=[[], [("Toàn đơn vị", report.total)]],
        notes=[
            "Nộp cấp trên: phần các đơn vị thu đoàn phí phải nộp và đã nộp cấp trên trực tiếp, tính vào tháng cuối"
            " của kỳ nộp; số cấp trên chuyển tiếp lên cấp cao hơn không tính lại.",
        ],
    )


def size_bands(found: UnitFigures) -> list[dict]:
    """The grassroots unions by their members at the period's end: a row per band, its lower bound and label."""
    return [{"lower": lower, "label": size_band_label(lower), "units": units} for lower, units in found.sizes.items()]


def units_form(unit_name: str, found: UnitFigures) -> FilledForm:
    def stocks(dimension: str, labels: dict[str, str]) -> list[dict]:
        values = sorted({*found.at_start[dimension], *found.at_end[dimension]}, key=lambda v: (v == "", v))
        return [
            {
                "label": labels.get(value, value) if value else NOT_KNOWN_LABEL,
                "at_start": found.at_start[dimension].get(value, 0),
                "at_end": found.at_end[dimension].get(value, 0),
            }
            for value in values
        ]

    return fill(
        UNITS,
        [unit_name, _period(found.first, found.last)],
        [
            stocks("unit_type", UNIT_TYPE_LABELS),
            stocks("grassroots_enterprise_type", LABELS["enterprise_type"]),
            [
                {"label": "Đơn vị thành lập mới", "units": found.flows["unit_established"]},
                {"label": "Đơn vị giải thể, sáp nhập", "units": found.flows["unit_closed"]},
            ],
            size_bands(found),
        ],
        last=found.last,
    )


def targets_form(term: str, as_of: date, unit_id: UUID, found: list[Progress]) -> FilledForm:
    def row(progress: Progress) -> dict:
        # Figures are counted only for a unit with a target of the term: the others' cells stay empty.
        counted = progress.counted_from is not None
        return {
            **progress.__dict__,
            **{key: getattr(progress, key) if counted else None for key in ("members_at_start", "members", "admitted")},
        }

    unit, *below = [row(progress) for progress in found]
    return fill(
        TARGETS,
        [unit["name"] or str(unit_id), f"Nhiệm kỳ {term}, số liệu đến ngày {as_of:%d/%m/%Y}"],
        [below],
        after_total=[[("Toàn đơn vị", unit)]],
        notes=["Đoàn viên và kết nạp tính từ đầu nhiệm kỳ (hoặc từ ngày bắt đầu có số liệu) đến ngày tính."],
    )
