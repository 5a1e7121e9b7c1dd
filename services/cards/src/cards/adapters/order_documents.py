"""An order's card list as .xlsx (for the print shop or the bank) and as PDF (the voucher the unit pays by), and
the card faces the national centre's print shop prints.

Seed 001: "the member list printed from the software is the payment voucher". Both documents hold the same
lines: the card's holder, member code, unit, card number once printed, and the verification code the card's
QR carries (the print shop needs it; nobody else gets this list).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import xlsxwriter
from chassis.fonts import vietnamese_font
from contracts.events.cards_print_order_v1 import NATIONAL_PRINT_SHOP
from contracts.wellknown import VIETNAM_TIME
from reportlab import rl_config
from reportlab.graphics.barcode import code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from cards.adapters.face_photos import draw_jpeg
from cards.adapters.qr import QrShape
from cards.domain.model import KIND_VI, ORDER_STATUS_VI, VERIFICATION_CODE_LENGTH

_DARK_RUN = re.compile(b"\x01+")
# Page streams compressed only, not also ASCII85-armoured for 7-bit channels (nobody sends these PDFs through one):
# the armour cost ~0.5 ms a card face in reportlab's pure-Python encoder.
rl_config.useA85 = 0
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
    blank_vnd: int = 0
    printing_vnd: int = 0
    linked_vnd: int = 0
    waived_count: int = 0
    waived_vnd: int = 0

    def fee_line(self) -> str:
        """The order's fee breakdown per card and the amount to pay (what the schedule gave it, waiver included)."""
        if self.kind == "regular":
            per_card = f"phôi {vnd(self.blank_vnd)} + in {vnd(self.printing_vnd)} = {vnd(self.unit_price_vnd)}/thẻ"
        else:
            per_card = f"{vnd(self.linked_vnd)}/thẻ liên kết"
        waived = (
            f"; {self.waived_count} thẻ miễn phí (đơn vị chi lương qua ngân hàng): {vnd(self.waived_vnd)}"
            if self.waived_count
            else ""
        )
        return f"Số thẻ: {self.card_count}    Phí: {per_card}{waived}    Phải trả: {vnd(self.total_vnd)}"


def supplier_name(supplier: str) -> str:
    return "Tổng Liên đoàn Lao động Việt Nam" if supplier == NATIONAL_PRINT_SHOP else f"Ngân hàng (mã {supplier})"


def _cells(number: int, line) -> tuple:
    return (
        number,
        line.member_code,
        line.full_name,
        line.unit_name,
        KIND_VI[line.kind],
        line.card_number or "",
        line.verification_code,
    )


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def order_xlsx(heading: OrderHeading, lines: Iterable) -> bytes:
    buffer = io.BytesIO()
    # Member codes, card numbers and verification codes are identifiers: written as text, never as numbers.
    workbook = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("Danh sách thẻ")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, (f"Đơn đặt in thẻ {heading.order_number}",), bold)
    sheet.write_row(
        1,
        0,
        ("Đơn vị đặt", heading.unit_name, "Loại thẻ", KIND_VI[heading.kind], "Nơi in", supplier_name(heading.supplier)),
    )
    sheet.write_row(
        2, 0, ("Số thẻ", heading.card_count, "Đơn giá (đ)", heading.unit_price_vnd, "Thành tiền (đ)", heading.total_vnd)
    )
    sheet.write_row(3, 0, (heading.fee_line(),))
    sheet.write_row(4, 0, HEADERS, bold)
    for number, line in enumerate(lines, start=1):
        sheet.write_row(4 + number, 0, _cells(number, line))
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 3, 30)
    sheet.set_column(4, 6, 20)
    workbook.close()
    return buffer.getvalue()


def voucher_heading(heading: OrderHeading, font: str, width: float, size: float = 10) -> list[str]:
    """The voucher's heading lines below its title, each wrapped to `width` at `size`."""
    texts = (
        f"Đơn vị đặt in: {heading.unit_name}",
        f"Ngày đặt: {heading.placed_at.astimezone(VIETNAM_TIME):%d/%m/%Y}    Người lập: {heading.placed_by}    "
        f"Trạng thái: {ORDER_STATUS_VI[heading.status]}",
        f"Loại thẻ: {KIND_VI[heading.kind]}    Nơi in: {supplier_name(heading.supplier)}",
        heading.fee_line(),
    )
    return [part for text in texts for part in simpleSplit(text, font, size, width)]


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
            # Long unit and bank names are common: every heading line is wrapped to the page (voucher_heading).
            for text in voucher_heading(heading, font.fontName, width - 2 * left):
                y -= 5 * mm
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
        cells = (str(number), line.member_code, line.full_name, line.unit_name, line.card_number or "")
        for x, end, text in zip(columns, (*columns[1:], width - left), cells, strict=True):
            canvas.drawString(x, y, fit(text, font.fontName, 9, end - x - 2 * mm))
    if y < 45 * mm:
        canvas.drawString(width - left - 20 * mm, 10 * mm, f"Trang {page}")
        canvas.showPage()
        page += 1
        y = top
    canvas.setFont(font.fontName, 10)
    for x, title in ((left + 10 * mm, "NGƯỜI LẬP"), (width / 2 + 20 * mm, "THỦ TRƯỞNG ĐƠN VỊ")):
        canvas.drawString(x, y - 12 * mm, title)
        canvas.setFont(font.fontName, 8)
        canvas.drawString(x, y - 16 * mm, "(ký, ghi rõ họ tên)")
        canvas.setFont(font.fontName, 10)
    canvas.setFont(font.fontName, 9)
    canvas.drawString(width - left - 20 * mm, 10 * mm, f"Trang {page}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# A card is ID-1 size (85.6 × 54 mm, ISO/IEC 7810), ten to an A4 sheet with cut marks around each.
CARD_WIDTH, CARD_HEIGHT = 85.6 * mm, 54 * mm
COLUMNS, ROWS, GAP = 2, 5, 3 * mm
PHOTO_X, PHOTO_Y, PHOTO_WIDTH, PHOTO_HEIGHT = 4.25 * mm, 14 * mm, 19.5 * mm, 26 * mm  # 3 × 4


def card_faces_pdf(
    lines: Iterable,
    verify_base_url: str,
    configured_font: str | None = None,
    photos: Mapping[UUID, tuple[str, bytes]] | None = None,
) -> bytes:
    """The fronts of an order's regular cards, for the national centre's print shop, with each holder's photo
    (SHA-256 and JPEG by member id) that `photos` has."""
    font = vietnamese_font(configured_font)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle("Thẻ đoàn viên")
    page_width, page_height = A4
    left = (page_width - COLUMNS * CARD_WIDTH - (COLUMNS - 1) * GAP) / 2
    top = page_height - (page_height - ROWS * CARD_HEIGHT - (ROWS - 1) * GAP) / 2
    # Every card's QR holds the address and a code of the same length: one shape serves the whole order.
    qr_shape = QrShape(verify_base_url + "0" * VERIFICATION_CODE_LENGTH)
    for index, line in enumerate(lines):
        slot = index % (COLUMNS * ROWS)
        if index and slot == 0:
            canvas.showPage()
        x = left + (slot % COLUMNS) * (CARD_WIDTH + GAP)
        y = top - (slot // COLUMNS + 1) * CARD_HEIGHT - (slot // COLUMNS) * GAP
        _card_face(
            canvas, font.fontName, x, y, line, verify_base_url, qr_shape, photos.get(line.member_id) if photos else None
        )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _card_face(
    canvas: Canvas,
    font: str,
    x: float,
    y: float,
    line,
    verify_base_url: str,
    qr_shape: QrShape,
    photo: tuple[str, bytes] | None,
) -> None:
    canvas.setLineWidth(0.3)
    canvas.roundRect(x, y, CARD_WIDTH, CARD_HEIGHT, 3 * mm)
    canvas.setFont(font, 7)
    canvas.drawCentredString(x + CARD_WIDTH / 2, y + CARD_HEIGHT - 5 * mm, "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM")
    canvas.setFont(font, 10)
    canvas.drawCentredString(x + CARD_WIDTH / 2, y + CARD_HEIGHT - 10 * mm, "THẺ ĐOÀN VIÊN CÔNG ĐOÀN")
    # The member's 3 × 4 photo (members.photo.v1) fills its frame; a member without a photo in the registry is
    # flagged on the face, so the shop asks the unit for one.
    if photo is not None:
        draw_jpeg(canvas, *photo, x + PHOTO_X, y + PHOTO_Y, PHOTO_WIDTH, PHOTO_HEIGHT)
    canvas.rect(x + PHOTO_X, y + PHOTO_Y, PHOTO_WIDTH, PHOTO_HEIGHT)
    if photo is None:
        canvas.setFont(font, 6)
        canvas.drawCentredString(x + 14 * mm, y + 26 * mm, "Ảnh 3×4")
        if not getattr(line, "has_photo", True):
            canvas.drawCentredString(x + 14 * mm, y + 22 * mm, "CHƯA CÓ ẢNH")
    text_left = x + 27 * mm
    room = CARD_WIDTH - 30 * mm
    canvas.setFont(font, 8.5)
    canvas.drawString(text_left, y + 36 * mm, fit(line.full_name.upper(), font, 8.5, room))
    canvas.setFont(font, 7)
    canvas.drawString(text_left, y + 31 * mm, f"Mã đoàn viên: {line.member_code}")
    canvas.drawString(text_left, y + 27 * mm, f"Số thẻ: {line.card_number or ''}")
    canvas.drawString(text_left, y + 23 * mm, fit(line.unit_name, font, 7, room))
    code = code128.Code128(line.member_code, barHeight=7 * mm, barWidth=0.28 * mm, humanReadable=False)
    code.drawOn(canvas, text_left - 2 * mm, y + 4 * mm)
    qr_size = 17 * mm
    _qr_code(
        canvas,
        qr_shape.modules(verify_base_url + line.verification_code),
        x + CARD_WIDTH - qr_size - 3 * mm,
        y + 3 * mm,
        qr_size,
    )


def _qr_code(canvas: Canvas, modules: list[bytearray], x: float, y: float, size: float) -> None:
    """The QR code as one filled path, a rectangle per run of dark modules in a row, written as PDF operators in
    module units (one scaling for the whole code): reportlab's own widget took 100 ms a card, a path of its
    rectangles ~2 ms (each coordinate formatted in Python), this ~0.2 ms."""
    width = len(modules)
    rectangles = []
    for row_number, row in enumerate(modules):
        bottom = width - 1 - row_number
        rectangles += [f"{run.start()} {bottom} {run.end() - run.start()} 1 re" for run in _DARK_RUN.finditer(row)]
    canvas.saveState()
    canvas.transform(size / width, 0, 0, size / width, x, y)
    canvas.addLiteral(" ".join(rectangles) + " f")
    canvas.restoreState()


def fit(text: str, font: str, size: float, width: float) -> str:
    """The text, shortened with an ellipsis until it fits `width` (long unit names are common)."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"
