"""Standard forms (`domain/forms.py`) as Excel workbooks (.xlsx) and PDF: a title, the unit and the date or period,
each section's table with Vietnamese headings and totals (as formulas in the workbook), a signature block. Text from
data is written as text, never as a formula. Nothing here knows any one form."""

from __future__ import annotations

import io
from datetime import date

import xlsxwriter
from chassis.fonts import vietnamese_font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable
from xlsxwriter.utility import xl_col_to_name

from reporting.domain.forms import Column, FilledForm, FilledSection, heading_groups

_DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_DANGEROUS_FIRST) else value


def _number(value: int | float | None) -> str:
    return "" if value is None else f"{value:,}".replace(",", ".")


def _cell_text(column: Column, value: int | float | None) -> str:
    if value is None:
        return ""
    if column.derived:
        return f"{value * 100:.1f} %".replace(".", ",")
    return _number(value)


def form_xlsx(form: FilledForm, made_on: date) -> bytes:
    """The form as a workbook: one sheet, the title and lines, each section's table with its total as SUM formulas
    (shares and ratios as formulas over the cells they read), the notes and the signature block."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = workbook.add_format({"bold": True, "align": "center", "font_size": 13})
    section_title = workbook.add_format({"bold": True})
    centre = workbook.add_format({"align": "center", "italic": True})
    header = workbook.add_format(
        {"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", "bg_color": "#DDEBF7", "border": 1}
    )
    cell = workbook.add_format({"border": 1})
    formats = {
        False: (
            workbook.add_format({"border": 1}),
            workbook.add_format({"border": 1, "num_format": "#,##0"}),
            workbook.add_format({"border": 1, "num_format": "0.0%"}),
        ),
        True: (
            workbook.add_format({"border": 1, "bold": True}),
            workbook.add_format({"border": 1, "bold": True, "num_format": "#,##0"}),
            workbook.add_format({"border": 1, "bold": True, "num_format": "0.0%"}),
        ),
    }
    sheet = workbook.add_worksheet("Báo cáo")
    last_column = 1 + max(len(section.columns) for section in form.sections)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, last_column, 13)
    sheet.merge_range(0, 0, 0, last_column, form.title.upper(), title)
    for index, line in enumerate(form.lines):
        sheet.merge_range(1 + index, 0, 1 + index, last_column, _text(line), centre)
    row = len(form.lines) + 2
    for number, section in enumerate(form.sections):
        if number:
            row += 1
        if section.title:
            sheet.write_string(row, 1, _text(section.title), section_title)
            row += 1
        row = _write_section(sheet, section, row, header, cell, formats) + 1
    for note in form.notes:
        sheet.write_string(row, 1, note)
        row += 1
    signature = row + 2
    sheet.write_string(signature, last_column - 1, f"Ngày {made_on:%d} tháng {made_on:%m} năm {made_on:%Y}", centre)
    sheet.write_string(signature + 1, 1, "NGƯỜI LẬP BIỂU", title)
    sheet.write_string(signature + 1, last_column - 1, "TM. BAN THƯỜNG VỤ", title)
    sheet.write_string(signature + 2, 1, "(Ký, ghi rõ họ tên)", centre)
    sheet.write_string(signature + 2, last_column - 1, "(Ký tên, đóng dấu)", centre)
    workbook.close()
    return buffer.getvalue()


def _write_headings(sheet, section: FilledSection, top: int, header) -> int:
    """The section's heading from row `top`: one row, or two when columns are grouped (each group merged over its
    columns, the columns' headings under it; the others merged over both rows). The index of its last row."""
    runs = heading_groups(section.columns)
    if all(group is None for group, _, _ in runs):
        sheet.set_row(top, 45)
        for column, name in enumerate(["STT", section.label_heading, *(c.heading for c in section.columns)]):
            sheet.write_string(top, column, name, header)
        return top
    sheet.set_row(top, 30)
    sheet.set_row(top + 1, 45)
    for column, name in enumerate(["STT", section.label_heading]):
        sheet.merge_range(top, column, top + 1, column, name, header)
    for group, first, last in runs:
        if group is None:
            sheet.merge_range(top, 2 + first, top + 1, 2 + first, section.columns[first].heading, header)
            continue
        if first == last:
            sheet.write_string(top, 2 + first, group, header)
        else:
            sheet.merge_range(top, 2 + first, top, 2 + last, group, header)
        for index in range(first, last + 1):
            sheet.write_string(top + 1, 2 + index, section.columns[index].heading, header)
    return top + 1


def _write_section(sheet, section: FilledSection, top: int, header, cell, formats) -> int:
    """The section's table from row `top` (its heading's first row): the row index of its last row."""
    top = _write_headings(sheet, section, top, header)
    letters = {column.key: xl_col_to_name(2 + index) for index, column in enumerate(section.columns)}
    first, last = top + 2, top + 1 + len(section.rows)  # Excel's row numbers of the data
    total_row = top + 1 + len(section.rows)

    def write(row: int, values: list, bold: bool, total: bool) -> None:
        _, number, share = formats[bold]
        for index, (column, value) in enumerate(zip(section.columns, values, strict=True)):
            at = 2 + index
            if column.derived:
                if column.share_of is not None:
                    whole = f"${letters[column.share_of]}${total_row + 1}"
                    part = f"{letters[column.share_of]}{row + 1}"
                else:
                    part, whole = (f"{letters[key]}{row + 1}" for key in column.ratio or ())
                cached = "" if value is None else value
                sheet.write_formula(row, at, f'=IF(N({whole})=0,"",{part}/{whole})', share, cached)
            elif total and column.summed:
                formula = f"=SUM({letters[column.key]}{first}:{letters[column.key]}{last})" if section.rows else "=0"
                sheet.write_formula(row, at, formula, number, value or 0)
            elif value is None:
                sheet.write_blank(row, at, None, number)
            else:
                sheet.write_number(row, at, value, number)

    for index, (label, values) in enumerate(section.rows):
        row = top + 1 + index
        sheet.write_number(row, 0, index + 1, cell)
        sheet.write_string(row, 1, _text(label), cell)
        write(row, values, False, False)
    row = top + len(section.rows)
    if section.total:
        row = total_row
        label, values = section.total
        sheet.write_string(row, 0, "", formats[True][0])
        sheet.write_string(row, 1, label, formats[True][0])
        write(row, values, True, True)
    for label, values in section.after_total:
        row += 1
        sheet.write_string(row, 0, "", formats[True][0])
        sheet.write_string(row, 1, _text(label), formats[True][0])
        write(row, values, True, False)
    return row


def form_pdf(form: FilledForm, made_on: date, configured_font: str | None = None) -> bytes:
    """The same form on landscape A4 pages, each table's heading repeated on each page, totals, the signature."""
    font = vietnamese_font(configured_font).fontName
    buffer = io.BytesIO()
    page = landscape(A4)
    document = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=8 * mm,
        rightMargin=8 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=form.title,
    )
    title = ParagraphStyle("title", fontName=font, fontSize=12, alignment=1, leading=15)
    line = ParagraphStyle("line", fontName=font, fontSize=9, alignment=1, leading=11)
    section_title = ParagraphStyle("section", fontName=font, fontSize=9, leading=12)
    small = ParagraphStyle("small", fontName=font, fontSize=6, leading=7)
    heading = ParagraphStyle("heading", parent=small, alignment=1)
    story: list = [
        Paragraph(_escape(form.title.upper()), title),
        *(Paragraph(_escape(text), line) for text in form.lines),
        Spacer(1, 4 * mm),
    ]
    for section in form.sections:
        if section.title:
            story.append(Paragraph(_escape(section.title), section_title))

        def cells(values: list, section: FilledSection = section) -> list[str]:
            return [_cell_text(column, value) for column, value in zip(section.columns, values, strict=True)]

        runs = heading_groups(section.columns)
        grouped = any(group is not None for group, _, _ in runs)
        names = [Paragraph(_escape(name), heading) for name in ["STT", section.label_heading]]
        columns = [Paragraph(_escape(column.heading), heading) for column in section.columns]
        spans: list[tuple] = []
        if grouped:
            # Two heading rows: a group over its columns, the others (and STT, the label) spanning both rows.
            top_row: list[object] = [*names, *[""] * len(section.columns)]
            below: list[object] = ["", "", *[""] * len(section.columns)]
            spans += [("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (1, 1))]
            for group, first, last in runs:
                if group is None:
                    top_row[2 + first] = columns[first]
                    spans.append(("SPAN", (2 + first, 0), (2 + first, 1)))
                else:
                    top_row[2 + first] = Paragraph(_escape(group), heading)
                    spans.append(("SPAN", (2 + first, 0), (2 + last, 0)))
                    below[2 + first : 3 + last] = columns[first : last + 1]
            rows: list[list[object]] = [top_row, below]
        else:
            rows = [[*names, *columns]]
        for index, (label, values) in enumerate(section.rows, start=1):
            rows.append([str(index), Paragraph(_escape(label), small), *cells(values)])
        ending = ([section.total] if section.total else []) + section.after_total
        rows += [["", Paragraph(_escape(label), small), *cells(values)] for label, values in ending]
        label_width = 45 * mm
        rest = (page[0] - 16 * mm - 8 * mm - label_width) / max(len(section.columns), 1)
        heading_rows = 2 if grouped else 1
        grid = PdfTable(rows, colWidths=[8 * mm, label_width, *[rest] * len(section.columns)], repeatRows=heading_rows)
        grid.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), font, 6),
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, heading_rows - 1), colors.HexColor("#DDEBF7")),
                    ("ALIGN", (2, heading_rows), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    *spans,
                ]
            )
        )
        story += [grid, Spacer(1, 3 * mm)]
    story += [*(Paragraph(_escape(note), small) for note in form.notes), Spacer(1, 6 * mm)]
    signature = PdfTable(
        [
            ["", f"Ngày {made_on:%d} tháng {made_on:%m} năm {made_on:%Y}"],
            ["NGƯỜI LẬP BIỂU", "TM. BAN THƯỜNG VỤ"],
            ["(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)"],
        ],
        colWidths=[(page[0] - 16 * mm) / 2] * 2,
    )
    signature.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 9), ("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    story.append(signature)
    document.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    # Paragraph reads a little markup: data is shown as text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
