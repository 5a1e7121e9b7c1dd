"""An order's card list as .xlsx (for the print shop or the bank) and as PDF (the voucher the unit pays by).

Seed 001: "the member list printed from the software is the payment voucher". Both documents hold the same
lines: the card's holder, member code, unit, card number once printed, and the verification code the card's
QR carries (the print shop needs it; nobody else gets this list).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import xlsxwriter
from chassis.fonts import vietnamese_font
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from cards.domain.model import KIND_VI, ORDER_STATUS_VI

HEADERS = ("STT", "Mã đoàn viên", "Họ và tên", "Đơn vị", "Loại thẻ", "Số thẻ", "Mã xác thực (QR)")


@dataclass(frozen=True)
class OrderHeading:
    order_number: str
    unit_name: str
    kind: str
    supplier: str
    status: str
    card_count: int
    unit_price_vnd: int
    total_vnd: int
    placed_at: datetime
    placed_by: str


def _cells(number: int, line) -> tuple:
    return (number, line.member_code, line.full_name, line.unit_name, KIND_VI[line.kind], line.card_number or "",
            line.verification_code)


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def order_xlsx(heading: OrderHeading, lines: Iterable) -> bytes:
    buffer = io.BytesIO()
    # Member codes, card numbers and verification codes are identifiers: written as text, never as numbers.
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Danh sách thẻ")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, (f"Đơn đặt in thẻ {heading.order_number}", ), bold)
    sheet.write_row(1, 0, ("Đơn vị đặt", heading.unit_name, "Loại thẻ", KIND_VI[heading.kind], "Nơi in",
                           heading.supplier))
    sheet.write_row(2, 0, ("Số thẻ", heading.card_count, "Đơn giá (đ)", heading.unit_price_vnd, "Thành tiền (đ)",
                           heading.total_vnd))
    sheet.write_row(4, 0, HEADERS, bold)
    for number, line in enumerate(lines, start=1):
        sheet.write_row(4 + number, 0, _cells(number, line))
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 3, 30)
    sheet.set_column(4, 6, 20)
    workbook.close()
    return buffer.getvalue()


def order_pdf(heading: OrderHeading, lines: Iterable, configured_font: str | None = None) -> bytes:
    font = vietnamese_font(configured_font)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(f"Đơn đặt in thẻ {heading.order_number}")
    width, height = A4
    left, top, row_height = 15 * mm, height - 15 * mm, 5.5 * mm
    columns = (left, left + 12 * mm, left + 37 * mm, left + 92 * mm, left + 147 * mm)
    page = 1

    def start_page(first: bool) -> float:
        y = top
        if first:
            canvas.setFont(font.fontName, 14)
            canvas.drawString(left, y, f"ĐƠN ĐẶT IN THẺ ĐOÀN VIÊN SỐ {heading.order_number}")
            canvas.setFont(font.fontName, 10)
            for text in (f"Đơn vị đặt in: {heading.unit_name}    Ngày đặt: {heading.placed_at:%d/%m/%Y}    "
                         f"Người lập: {heading.placed_by}",
                         f"Loại thẻ: {KIND_VI[heading.kind]}    Nơi in: {heading.supplier}    "
                         f"Trạng thái: {ORDER_STATUS_VI[heading.status]}",
                         f"Số thẻ: {heading.card_count}    Đơn giá: {_vnd(heading.unit_price_vnd)}    "
                         f"Thành tiền: {_vnd(heading.total_vnd)}"):
                y -= 6 * mm
                canvas.drawString(left, y, text)
            y -= 4 * mm
        canvas.setFont(font.fontName, 9)
        y -= row_height
        for x, title in zip(columns, ("STT", "Mã đoàn viên", "Họ và tên", "Đơn vị", "Số thẻ"), strict=True):
            canvas.drawString(x, y, title)
        canvas.line(left, y - 1.5 * mm, width - left, y - 1.5 * mm)
        return y

    y = start_page(first=True)
    for number, line in enumerate(lines, start=1):
        y -= row_height
        if y < 20 * mm:
            canvas.drawString(width - left - 20 * mm, 10 * mm, f"Trang {page}")
            canvas.showPage()
            page += 1
            y = start_page(first=False) - row_height
        cells = (str(number), line.member_code, line.full_name[:34], line.unit_name[:34], line.card_number or "")
        for x, text in zip(columns, cells, strict=True):
            canvas.drawString(x, y, text)
    canvas.drawString(width - left - 20 * mm, 10 * mm, f"Trang {page}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
