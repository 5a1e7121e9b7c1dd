"""The fee statement (bảng kê phí thẻ) of a unit and period as .xlsx and PDF: the payment voucher list (seed 004:
"chứng từ để thanh toán là danh sách ... in từ phần mềm"), per unit below and per order, totals as formulas.

The PDF is A4 landscape; every heading line is wrapped to the page's width and every column title to its column
(`header_lines`, `ORDER_COLUMNS`, `SUBUNIT_COLUMNS`: tests measure them).
"""

from __future__ import annotations

import io

import xlsxwriter
from chassis.fonts import vietnamese_font
from contracts.wellknown import VIETNAM_TIME
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from cards.adapters.order_documents import fit, vnd
from cards.domain.model import KIND_VI

PAGE = landscape(A4)
MARGIN = 12 * mm
WIDTH = PAGE[0] - 2 * MARGIN
TITLE_SIZE, HEADING_SIZE, TABLE_SIZE = 13, 9.5, 7.5
MONEY = ("blank_vnd", "printing_vnd", "linked_vnd", "waived_vnd", "payable_vnd", "members_units_pay_vnd")
MONEY_TITLES = ("Phôi thẻ (đ)", "In thẻ (đ)", "Thẻ liên kết (đ)", "Được miễn (đ)", "Phải trả (đ)", "Cấp cơ sở chi (đ)")
# (title, width in mm, key): the widths add up to the page's width less its margins (273 mm).
SUBUNIT_COLUMNS = (
    ("STT", 10, None),
    ("Đơn vị", 75, "unit_name"),
    ("Thẻ thường", 18, "regular_cards"),
    ("Thẻ liên kết", 18, "linked_cards"),
    ("Thẻ miễn phí", 18, "waived_cards"),
    *((title, 22, key) for title, key in zip(MONEY_TITLES, MONEY, strict=True)),
)
ORDER_COLUMNS = (
    ("STT", 10, None),
    ("Số đơn", 27, "order_number"),
    ("Ngày đặt", 18, "placed_on"),
    ("Đơn vị đặt", 48, "ordering_unit_name"),
    ("Loại thẻ", 18, "kind_vi"),
    ("Số thẻ", 12, "cards"),
    ("Thẻ miễn phí", 18, "waived_cards"),
    *((title, 20.33, key) for title, key in zip(MONEY_TITLES, MONEY, strict=True)),
)


def _order_cells(row) -> dict:
    return {
        "order_number": row.order_number,
        "placed_on": f"{row.placed_at.astimezone(VIETNAM_TIME):%d/%m/%Y}",
        "ordering_unit_name": row.ordering_unit_name,
        "kind_vi": KIND_VI[row.kind],
        "cards": row.regular_cards + row.linked_cards,
    }


def header_lines(statement) -> list[tuple[str, float]]:
    """The heading of the statement as (line, font size), each line wrapped to the page's width by `font`."""
    totals = statement.totals
    return [
        ("BẢNG KÊ PHÍ THẺ ĐOÀN VIÊN", TITLE_SIZE),
        (f"Đơn vị: {statement.unit_name}", HEADING_SIZE),
        (f"Kỳ: từ ngày {statement.date_from:%d/%m/%Y} đến ngày {statement.date_to:%d/%m/%Y}", HEADING_SIZE),
        (
            f"Số thẻ: {totals['regular_cards']} thẻ thường, {totals['linked_cards']} thẻ liên kết "
            f"({totals['waived_cards']} thẻ miễn phí vì đơn vị chi lương qua ngân hàng). Phải trả: "
            f"{vnd(totals['payable_vnd'])}, trong đó cấp cơ sở chi {vnd(totals['members_units_pay_vnd'])}, "
            f"đơn vị đặt in chi {vnd(totals['ordering_unit_pays_vnd'])}; được miễn {vnd(totals['waived_vnd'])} "
            "(ngân hàng chịu).",
            HEADING_SIZE,
        ),
    ]


def wrapped(text: str, font: str, size: float, width: float = WIDTH) -> list[str]:
    return simpleSplit(text, font, size, width)


def statement_pdf(statement, configured_font: str | None = None) -> bytes:
    font = vietnamese_font(configured_font).fontName
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE)
    canvas.setTitle(f"Bảng kê phí thẻ {statement.unit_name}")
    state = {"y": PAGE[1] - MARGIN, "page": 1}

    def new_page() -> None:
        canvas.setFont(font, 8)
        canvas.drawRightString(PAGE[0] - MARGIN, 7 * mm, f"Trang {state['page']}")
        canvas.showPage()
        state["page"] += 1
        state["y"] = PAGE[1] - MARGIN

    def room(height: float) -> None:
        if state["y"] - height < 15 * mm:
            new_page()

    def line(text: str, size: float, x: float = MARGIN) -> None:
        room(size * 0.5 * mm + 2 * mm)
        state["y"] -= size * 0.45 * mm
        canvas.setFont(font, size)
        canvas.drawString(x, state["y"], text)

    for text, size in header_lines(statement):
        for part in wrapped(text, font, size):
            line(part, size)
    for title, columns, rows, cells in (
        ("Theo đơn vị trực thuộc", SUBUNIT_COLUMNS, statement.subunits, lambda row: {}),
        ("Theo đơn đặt in", ORDER_COLUMNS, statement.orders, _order_cells),
    ):
        state["y"] -= 3 * mm
        line(title, HEADING_SIZE)
        _table(canvas, font, state, room, columns, rows, cells, statement.totals)
    room(30 * mm)
    for x, title in ((MARGIN + 15 * mm, "NGƯỜI LẬP"), (PAGE[0] / 2 + 40 * mm, "THỦ TRƯỞNG ĐƠN VỊ")):
        canvas.setFont(font, 10)
        canvas.drawString(x, state["y"] - 12 * mm, title)
        canvas.setFont(font, 8)
        canvas.drawString(x, state["y"] - 16 * mm, "(ký, ghi rõ họ tên)")
    canvas.setFont(font, 8)
    canvas.drawRightString(PAGE[0] - MARGIN, 7 * mm, f"Trang {state['page']}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _table(canvas: Canvas, font: str, state: dict, room, columns, rows, cells, totals: dict) -> None:
    row_height = 5 * mm

    def titles() -> None:
        room(3 * row_height)
        x = MARGIN
        state["y"] -= row_height
        canvas.setFont(font, TABLE_SIZE)
        for title, width, _key in columns:
            canvas.drawString(x + 1, state["y"], fit(title, font, TABLE_SIZE, width * mm - 2))
            x += width * mm
        canvas.line(MARGIN, state["y"] - 1.5 * mm, MARGIN + WIDTH, state["y"] - 1.5 * mm)

    def draw(values: list[str]) -> None:
        if state["y"] - row_height < 15 * mm:
            state["y"] = 0
            room(row_height)
            titles()
        state["y"] -= row_height
        canvas.setFont(font, TABLE_SIZE)
        x = MARGIN
        for (_title, width, key), value in zip(columns, values, strict=True):
            text = fit(value, font, TABLE_SIZE, width * mm - 2)
            if key in MONEY or key in ("regular_cards", "linked_cards", "waived_cards", "cards"):
                canvas.drawRightString(x + width * mm - 1, state["y"], text)
            else:
                canvas.drawString(x + 1, state["y"], text)
            x += width * mm

    titles()
    for number, row in enumerate(rows, start=1):
        extra = cells(row)
        draw(
            [str(number)]
            + [_shown(key, extra[key] if key in extra else getattr(row, key)) for _, _, key in columns[1:]]
        )
    total = totals | {"cards": totals["regular_cards"] + totals["linked_cards"]}
    draw(["", "Cộng"] + [_shown(key, total[key]) if key in total else "" for _, _, key in columns[2:]])


def _shown(key: str, value) -> str:
    if key in MONEY:
        return vnd(value).removesuffix(" đ")
    return str(value)


def statement_xlsx(statement) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0"})
    money_bold = workbook.add_format({"num_format": "#,##0", "bold": True})
    for name, columns, rows, cells in (
        ("Theo đơn vị", SUBUNIT_COLUMNS, statement.subunits, lambda row: {}),
        ("Theo đơn đặt in", ORDER_COLUMNS, statement.orders, _order_cells),
    ):
        sheet = workbook.add_worksheet(name)
        for at, (text, _size) in enumerate(header_lines(statement)):
            sheet.write(at, 0, text, bold if at == 0 else None)
        first = len(header_lines(statement)) + 2  # the header row; data follow it
        sheet.write_row(first, 0, [title for title, _, _ in columns], bold)
        for number, row in enumerate(rows, start=1):
            extra = cells(row)
            sheet.write_number(first + number, 0, number)
            for at, (_title, _width, key) in enumerate(columns[1:], start=1):
                value = extra[key] if key in extra else getattr(row, key)
                if isinstance(value, int):
                    sheet.write_number(first + number, at, value, money if key in MONEY else None)
                else:
                    sheet.write_string(first + number, at, value)
        last = first + len(rows)
        total_row = last + 1
        sheet.write(total_row, 1, "Cộng", bold)
        total = statement.totals | {"cards": statement.totals["regular_cards"] + statement.totals["linked_cards"]}
        for at, (_title, _width, key) in enumerate(columns):
            if key not in total:
                continue
            letter = xlsxwriter.utility.xl_col_to_name(at)
            formula = f"=SUM({letter}{first + 2}:{letter}{last + 1})" if rows else "=0"
            sheet.write_formula(total_row, at, formula, money_bold if key in MONEY else bold, total[key])
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, len(columns) - 1, 16)
        sheet.set_column(1, 1, 40 if columns is SUBUNIT_COLUMNS else 18)
    workbook.close()
    return buffer.getvalue()
