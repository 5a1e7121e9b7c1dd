"""Dues documents an officer takes away, headings in Vietnamese: a recorded month (what the grassroots union
keeps and sends up with its remittance), a year's summary, the arrears list, the remittance statement, the
reconciliation."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ARREARS_HEADERS = ("STT", "Mã đoàn viên", "Họ và tên", "Số tháng nợ", "Từ tháng", "Đến tháng", "Số tiền nợ (đ)")


def arrears_xlsx(unit_label: str, rows: Iterable) -> bytes:
    buffer = io.BytesIO()
    # Member codes are identifiers: written as text, never as numbers.
    workbook = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("Nợ đoàn phí")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0"})
    sheet.write_row(0, 0, (f"Danh sách đoàn viên nợ đoàn phí — {unit_label}",), bold)
    sheet.write_row(2, 0, ARREARS_HEADERS, bold)
    total = 0
    number = 0
    for number, row in enumerate(rows, start=1):
        sheet.write_row(
            2 + number,
            0,
            (
                number,
                row.member_code or "",
                row.full_name,
                row.months_owed,
                f"{row.first_month:%m/%Y}",
                f"{row.last_month:%m/%Y}",
            ),
        )
        sheet.write_number(2 + number, 6, row.owed_vnd, money)
        total += row.owed_vnd
    sheet.write_row(3 + number, 0, ("Cộng", "", f"{number} đoàn viên"), bold)
    sheet.write_number(3 + number, 6, total, money)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 2, 30)
    sheet.set_column(3, 6, 14)
    workbook.close()
    return buffer.getvalue()


HEADERS = (
    "STT",
    "Mã đoàn viên",
    "Họ và tên",
    "Tiền lương (đ)",
    "Miễn đóng",
    "Mức quy định (đ)",
    "Đã đóng (đ)",
    "Nộp cấp trên (đ)",
)


def month_xlsx(collection, unit_name: str, lines: Iterable, exemption_names: dict[str, str]) -> bytes:
    """The month as a sheet; `exemption_names`: the month's policy's reasons by code."""
    buffer = io.BytesIO()
    # Member codes are identifiers: written as text, never as numbers; names are never formulas.
    workbook = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet(f"Tháng {collection.month:%m-%Y}")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0"})
    sheet.write_row(0, 0, (f"Đoàn phí tháng {collection.month:%m/%Y}", unit_name), bold)
    sheet.write_row(
        1,
        0,
        (
            "Ghi nhận",
            collection.recorded_by,
            f"{collection.recorded_at:%d/%m/%Y %H:%M}",
            "Quy định từ",
            f"{collection.policy_from:%d/%m/%Y}",
        ),
    )
    sheet.write_row(2, 0, ("Đoàn viên đóng", collection.members_paid, "Miễn", collection.members_exempt))
    sheet.write_row(
        3,
        0,
        (
            "Đã thu (đ)",
            collection.collected_vnd,
            "Nộp cấp trên (đ)",
            collection.upper_share_vnd,
            "Để lại cơ sở (đ)",
            collection.grassroots_share_vnd,
        ),
    )
    sheet.write_row(5, 0, HEADERS, bold)
    for number, line in enumerate(lines, start=1):
        row = 5 + number
        sheet.write_number(row, 0, number)
        sheet.write_string(row, 1, line.member_code or "")
        sheet.write_string(row, 2, line.full_name)
        if line.salary_vnd is not None:
            sheet.write_number(row, 3, line.salary_vnd, money)
        sheet.write_string(row, 4, exemption_names.get(line.exemption, line.exemption) if line.exemption else "")
        for column, value in ((5, line.norm_vnd), (6, line.paid_vnd), (7, line.upper_share_vnd)):
            sheet.write_number(row, column, value, money)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 2, 30)
    sheet.set_column(3, 7, 16)
    workbook.close()
    return buffer.getvalue()


def _titled_sheet(name: str, title: str, headers: tuple[str, ...]):
    """A workbook of one sheet with its title on the first row and the column headings on the third; the buffer
    it is written to, the bold and the money formats."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, (title,), bold)
    sheet.write_row(2, 0, headers, bold)
    return buffer, workbook, sheet, bold, workbook.add_format({"num_format": "#,##0"})


REMITTANCE_HEADERS = (
    "STT",
    "Mã đơn vị",
    "Đơn vị nộp",
    "Nộp cho",
    "Từ tháng",
    "Đến tháng",
    "Ngày chuyển",
    "Số chứng từ",
    "Số tiền (đ)",
    "Ngày cấp trên nhận",
    "Người xác nhận",
)


def remittances_xlsx(title: str, rows: list) -> bytes:
    """Bảng kê nộp cấp trên: each transfer of the subtree and whether the upper level confirmed it."""
    buffer, workbook, sheet, bold, money = _titled_sheet("Nộp cấp trên", title, REMITTANCE_HEADERS)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(
            2 + number,
            0,
            (
                number,
                row.unit_code,
                row.unit_name,
                row.upper_unit_name or "",
                f"{row.month_from:%m/%Y}",
                f"{row.month_to:%m/%Y}",
                f"{row.transferred_on:%d/%m/%Y}",
                row.reference,
            ),
        )
        sheet.write_number(2 + number, 8, row.amount_vnd, money)
        if row.received_on is not None:
            sheet.write_row(2 + number, 9, (f"{row.received_on:%d/%m/%Y}", row.confirmed_by or ""))
        else:
            sheet.write_string(2 + number, 9, "Chưa xác nhận")
    sheet.write_row(3 + len(rows), 0, ("Cộng", "", f"{len(rows)} khoản nộp"), bold)
    sheet.write_number(3 + len(rows), 8, sum(row.amount_vnd for row in rows), money)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 3, 32)
    sheet.set_column(4, 10, 16)
    workbook.close()
    return buffer.getvalue()


RECONCILIATION_HEADERS = (
    "STT",
    "Mã đơn vị",
    "Tên đơn vị",
    "Số tháng đã ghi nhận",
    "Đã thu (đ)",
    "Phải nộp cấp trên (đ)",
    "Đã nộp (đ)",
    "Cấp trên đã nhận (đ)",
    "Còn phải nộp (đ)",
)
_AMOUNTS = ("collected_vnd", "due_vnd", "remitted_vnd", "confirmed_vnd", "outstanding_vnd")


def reconciliation_xlsx(title: str, rows: list) -> bytes:
    buffer, workbook, sheet, bold, money = _titled_sheet("Đối chiếu", title, RECONCILIATION_HEADERS)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(2 + number, 0, (number, row.code, row.name, row.months_recorded))
        for column, name in enumerate(_AMOUNTS, start=4):
            sheet.write_number(2 + number, column, getattr(row, name), money)
    sheet.write(3 + len(rows), 0, "Cộng", bold)
    for column, name in enumerate(_AMOUNTS, start=4):
        sheet.write_number(3 + len(rows), column, sum(getattr(row, name) for row in rows), money)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 2, 36)
    sheet.set_column(3, 8, 16)
    workbook.close()
    return buffer.getvalue()


SUMMARY_HEADERS = (
    "Tháng",
    "CĐCS phải thu",
    "CĐCS đã ghi nhận",
    "Đoàn viên đóng",
    "Miễn",
    "Theo mức quy định (đ)",
    "Đã thu (đ)",
    "Nộp cấp trên (đ)",
    "Để lại cơ sở (đ)",
)
SUMMARY_KEYS = (
    "units_collecting",
    "units_reported",
    "members_paid",
    "members_exempt",
    "norm_vnd",
    "collected_vnd",
    "upper_share_vnd",
    "grassroots_share_vnd",
)


def year_xlsx(year: int, unit_name: str, months: Iterable[dict]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(f"Năm {year}")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0"})
    sheet.write_row(0, 0, (f"Tổng hợp đoàn phí năm {year}", unit_name), bold)
    sheet.write_row(1, 0, ("Đơn vị và các đơn vị trực thuộc",))
    sheet.write_row(3, 0, SUMMARY_HEADERS, bold)
    for row, month in enumerate(months, start=4):
        sheet.write_string(row, 0, f"{month['month']:%m/%Y}")
        for column, key in enumerate(SUMMARY_KEYS, start=1):
            sheet.write_number(row, column, month[key], money)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 8, 18)
    workbook.close()
    return buffer.getvalue()
