"""Writing spreadsheets: the import template, validation reports and exports (xlsxwriter, CSV).

Every cell we write from data is a string or a date, never a formula; in CSV, where a
spreadsheet would evaluate it, a value starting with = + - @ (or tab / carriage return)
gets a leading apostrophe (OWASP's advice against CSV injection). The same is done in
.xlsx so both downloads show the same text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

import xlsxwriter

from members.domain.import_columns import COLUMNS, REQUIRED_DEFAULT

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST):
        return "'" + value
    return value


def template_xlsx() -> bytes:
    """File Excel mẫu: the member list sheet with drop-downs, ID columns as text, and instructions."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center", "bg_color": "#DDEBF7", "border": 1}
    )
    required = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center", "bg_color": "#FCE4D6", "border": 1}
    )
    as_text = workbook.add_format({"num_format": "@"})
    as_date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet = workbook.add_worksheet("Danh sách đoàn viên")
    lists = workbook.add_worksheet("Danh mục")
    for index, column in enumerate(COLUMNS):
        sheet.write_string(0, index, column.header, required if column.key in REQUIRED_DEFAULT else header)
        cell_format = as_date if column.kind == "date" else as_text
        sheet.set_column(index, index, column.width, cell_format)
        if column.note:
            sheet.write_comment(0, index, column.note)
        if column.choices:
            labels = [label for label, _ in column.choices]
            lists.write_column(0, index, labels)
            letter = xlsxwriter.utility.xl_col_to_name(index)
            sheet.data_validation(
                1,
                index,
                200_000,
                index,
                {
                    "validate": "list",
                    "source": f"='Danh mục'!${letter}$1:${letter}${len(labels)}",
                    "error_title": "Giá trị không hợp lệ",
                    "error_message": "Chọn một giá trị trong danh sách",
                },
            )
        if column.kind == "date":
            sheet.data_validation(
                1,
                index,
                200_000,
                index,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": date(1900, 1, 1),
                    "maximum": date(2100, 1, 1),
                    "error_message": "Nhập ngày dạng dd/mm/yyyy",
                },
            )
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 36)
    lists.hide()
    guide = workbook.add_worksheet("Hướng dẫn")
    guide.set_column(0, 0, 110)
    for row, line in enumerate(INSTRUCTIONS):
        guide.write_string(row, 0, line)
    workbook.close()
    return buffer.getvalue()


INSTRUCTIONS = (
    "HƯỚNG DẪN NHẬP DANH SÁCH ĐOÀN VIÊN",
    '1. Nhập mỗi đoàn viên trên một dòng của trang "Danh sách đoàn viên", bắt đầu từ dòng 2. Không đổi tên cột.',
    "2. Cột màu cam là bắt buộc: Họ và tên, Giới tính, Ngày sinh, Số CCCD/CMND.",
    "3. Ngày nhập dạng dd/mm/yyyy (ví dụ 01/05/1990).",
    "4. Số CCCD (12 số) và CMND (9 số) phải nhập dạng văn bản để giữ số 0 ở đầu; cột đã được định dạng sẵn.",
    "5. Giới tính, Loại giấy tờ, Loại thẻ: chọn trong danh sách thả xuống.",
    "6. Người nước ngoài: chọn Loại giấy tờ là Hộ chiếu hoặc Giấy phép lao động và ghi Quốc tịch (mã 2 chữ, VD: KR).",
    "7. Mỗi người chỉ là đoàn viên ở một nơi: người đã là đoàn viên ở đơn vị khác cần làm thủ tục chuyển sinh hoạt.",
    "8. Sau khi tải lên, hệ thống kiểm tra và trả về báo cáo lỗi; bạn chọn nhập các dòng hợp lệ hoặc nhập tất cả "
    "hoặc không nhập dòng nào.",
    "Có thể tải lên tệp .xlsx, .xls hoặc .csv (UTF-8), tối đa 200.000 dòng.",
)


class XlsxStreamWriter:
    """Rows to an .xlsx file on disk with constant memory (xlsxwriter flushes each row as it goes)."""

    def __init__(self, path: str, sheet_name: str, header: list[str], widths: list[int] | None = None) -> None:
        self.workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
        self.sheet = self.workbook.add_worksheet(sheet_name)
        self.date_format = self.workbook.add_format({"num_format": "dd/mm/yyyy"})
        bold = self.workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
        for index, name in enumerate(header):
            self.sheet.write_string(0, index, name, bold)
            self.sheet.set_column(index, index, (widths or [])[index] if widths and index < len(widths) else 16)
        self.row = 1

    def write(self, values: Iterable[object]) -> None:
        for column, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, date):
                self.sheet.write_datetime(self.row, column, value, self.date_format)
            elif isinstance(value, bool | int | float):
                self.sheet.write_number(self.row, column, value)
            else:
                self.sheet.write_string(self.row, column, str(neutralise(value)))
        self.row += 1

    def close(self) -> None:
        self.workbook.close()
