"""Reports as Excel workbooks (.xlsx) and PDF: a title, the unit and the date or period, Vietnamese headings, totals
(as formulas in the workbook), a signature block. Text from data is written as text, never as a formula."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
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

_DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_DANGEROUS_FIRST) else value


@dataclass
class Table:
    """A report's table: a label column, then number columns. `rows` are (label, numbers)."""

    title: str
    lines: list[str]  # under the title: the unit, the date or period
    label_heading: str
    headings: list[str]
    rows: list[tuple[str, Sequence[int]]]
    share: bool = False  # a last column: each row's share of the total of the first number column
    # Rows after the total, as values (e.g. the whole unit, whose transfers between its rows cancel out).
    after_total: list[tuple[str, Sequence[int]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def table_xlsx(table: Table, made_on: date) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = workbook.add_format({"bold": True, "align": "center", "font_size": 13})
    centre = workbook.add_format({"align": "center", "italic": True})
    header = workbook.add_format(
        {"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", "bg_color": "#DDEBF7", "border": 1}
    )
    cell = workbook.add_format({"border": 1})
    number = workbook.add_format({"border": 1, "num_format": "#,##0"})
    share = workbook.add_format({"border": 1, "num_format": "0.0%"})
    bold = workbook.add_format({"border": 1, "bold": True})
    bold_number = workbook.add_format({"border": 1, "bold": True, "num_format": "#,##0"})
    bold_share = workbook.add_format({"border": 1, "bold": True, "num_format": "0.0%"})
    sheet = workbook.add_worksheet("Báo cáo")
    headings = ["STT", table.label_heading, *table.headings, *(["Tỷ lệ"] if table.share else [])]
    last_column = len(headings) - 1
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, last_column, 13)
    sheet.merge_range(0, 0, 0, last_column, table.title.upper(), title)
    for index, line in enumerate(table.lines):
        sheet.merge_range(1 + index, 0, 1 + index, last_column, _text(line), centre)
    top = len(table.lines) + 2
    sheet.set_row(top, 45)
    for column, name in enumerate(headings):
        sheet.write_string(top, column, name, header)
    first, last = top + 2, top + 1 + len(table.rows)  # Excel's row numbers of the data
    total_row = top + 1 + len(table.rows)
    total_cell = f"$C${total_row + 1}"
    for index, (label, numbers) in enumerate(table.rows):
        row = top + 1 + index
        sheet.write_number(row, 0, index + 1, cell)
        sheet.write_string(row, 1, _text(label), cell)
        for column, value in enumerate(numbers, start=2):
            sheet.write_number(row, column, value, number)
        if table.share:
            sheet.write_formula(
                row,
                last_column,
                f"=IF({total_cell}=0,0,C{row + 1}/{total_cell})",
                share,
                (numbers[0] / sum(n[0] for _, n in table.rows)) if numbers[0] else 0,
            )
    sheet.write_string(total_row, 0, "", bold)
    sheet.write_string(total_row, 1, "Tổng cộng", bold)
    for column in range(2, 2 + len(table.headings)):
        letter = xl_col_to_name(column)
        value = sum(numbers[column - 2] for _, numbers in table.rows)
        sheet.write_formula(
            total_row, column, f"=SUM({letter}{first}:{letter}{last})" if table.rows else "=0", bold_number, value
        )
    if table.share:
        sheet.write_formula(
            total_row, last_column, f"=IF({total_cell}=0,0,1)", bold_share, 1 if any(n[0] for _, n in table.rows) else 0
        )
    row = total_row
    for label, numbers in table.after_total:
        row += 1
        sheet.write_string(row, 0, "", bold)
        sheet.write_string(row, 1, _text(label), bold)
        for column, value in enumerate(numbers, start=2):
            sheet.write_number(row, column, value, bold_number)
    for note in table.notes:
        row += 1
        sheet.write_string(row, 1, note)
    signature = row + 3
    sheet.write_string(signature, last_column - 1, f"Ngày {made_on:%d} tháng {made_on:%m} năm {made_on:%Y}", centre)
    sheet.write_string(signature + 1, 1, "NGƯỜI LẬP BIỂU", title)
    sheet.write_string(signature + 1, last_column - 1, "TM. BAN THƯỜNG VỤ", title)
    sheet.write_string(signature + 2, 1, "(Ký, ghi rõ họ tên)", centre)
    sheet.write_string(signature + 2, last_column - 1, "(Ký tên, đóng dấu)", centre)
    workbook.close()
    return buffer.getvalue()


def table_pdf(table: Table, made_on: date, configured_font: str | None = None) -> bytes:
    """The same table on landscape A4 pages, its heading repeated on each, the total and the signature block."""
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
        title=table.title,
    )
    title = ParagraphStyle("title", fontName=font, fontSize=12, alignment=1, leading=15)
    line = ParagraphStyle("line", fontName=font, fontSize=9, alignment=1, leading=11)
    small = ParagraphStyle("small", fontName=font, fontSize=6, leading=7)
    heading = ParagraphStyle("heading", parent=small, alignment=1)

    def number(value: int) -> str:
        return f"{value:,}".replace(",", ".")

    rows: list[list[object]] = [[Paragraph(name, heading) for name in ["STT", table.label_heading, *table.headings]]]
    for index, (label, numbers) in enumerate(table.rows, start=1):
        rows.append([str(index), Paragraph(_escape(label), small), *map(number, numbers)])
    totals = [sum(numbers[column] for _, numbers in table.rows) for column in range(len(table.headings))]
    rows.append(["", Paragraph("Tổng cộng", small), *map(number, totals)])
    rows += [["", Paragraph(_escape(label), small), *map(number, numbers)] for label, numbers in table.after_total]
    label_width = 45 * mm
    rest = (page[0] - 16 * mm - 8 * mm - label_width) / max(len(table.headings), 1)
    grid = PdfTable(rows, colWidths=[8 * mm, label_width, *[rest] * len(table.headings)], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 6),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story = [
        Paragraph(_escape(table.title.upper()), title),
        *(Paragraph(_escape(text), line) for text in table.lines),
        Spacer(1, 4 * mm),
        grid,
        *(Paragraph(_escape(note), small) for note in table.notes),
        Spacer(1, 6 * mm),
    ]
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
