"""Giấy giới thiệu chuyển sinh hoạt công đoàn as PDF (reportlab), in the chassis' Vietnamese font."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from chassis.fonts import vietnamese_font
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas


@dataclass(frozen=True)
class TransferLetter:
    letter_number: str
    issued_on: date
    from_unit: str
    to_unit: str
    full_name: str
    gender: str
    date_of_birth: date
    member_code: str | None
    joined_on: date | None
    position: str | None
    reason: str | None
    released_by: str

    def lines(self) -> list[tuple[str, int, str]]:
        """(text, size, alignment) from top to bottom."""
        gender = "Nam" if self.gender == "male" else "Nữ"
        return [
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, "center"),
            ("Độc lập - Tự do - Hạnh phúc", 12, "center"),
            ("", 10, "left"),
            (self.from_unit.upper(), 11, "left"),
            (f"Số: {self.letter_number}", 10, "left"),
            ("", 10, "left"),
            ("GIẤY GIỚI THIỆU CHUYỂN SINH HOẠT CÔNG ĐOÀN", 14, "center"),
            ("", 10, "left"),
            (f"Kính gửi: Ban Chấp hành {self.to_unit}", 11, "left"),
            (f"Ban Chấp hành {self.from_unit} trân trọng giới thiệu:", 11, "left"),
            (f"Đoàn viên: {self.full_name}        Giới tính: {gender}", 11, "left"),
            (f"Ngày sinh: {self.date_of_birth:%d/%m/%Y}", 11, "left"),
            (f"Mã số đoàn viên: {self.member_code or 'chưa cấp'}", 11, "left"),
            (
                f"Ngày vào Công đoàn: {self.joined_on:%d/%m/%Y}" if self.joined_on else "Ngày vào Công đoàn: —",
                11,
                "left",
            ),
            (f"Chức vụ công đoàn: {self.position or 'đoàn viên'}", 11, "left"),
            (f"Được chuyển sinh hoạt công đoàn đến {self.to_unit}.", 11, "left"),
            (f"Lý do: {self.reason or 'chuyển nơi làm việc'}", 11, "left"),
            (
                "Đề nghị Ban Chấp hành tiếp nhận và tạo điều kiện để đoàn viên sinh hoạt theo Điều lệ Công đoàn "
                "Việt Nam.",
                11,
                "left",
            ),
            ("", 10, "left"),
            (f"Ngày {self.issued_on.day:02d} tháng {self.issued_on.month:02d} năm {self.issued_on.year}", 11, "right"),
            ("TM. BAN CHẤP HÀNH", 11, "right"),
            (f"(người lập: {self.released_by})", 9, "right"),
        ]


def render_transfer_letter(letter: TransferLetter, configured_font: str | None = None) -> bytes:
    font = vietnamese_font(configured_font)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Giấy giới thiệu chuyển sinh hoạt {letter.letter_number}")
    width, height = A4
    left, right, y = 20 * mm, width - 20 * mm, height - 25 * mm
    for text, size, alignment in letter.lines():
        canvas.setFont(font.fontName, size)
        for line in _wrap(text, font, size, right - left):
            if alignment == "center":
                canvas.drawCentredString(width / 2, y, line)
            elif alignment == "right":
                canvas.drawRightString(right, y, line)
            else:
                canvas.drawString(left, y, line)
            y -= size * 1.6
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _wrap(text: str, font: TTFont, size: int, width: float) -> list[str]:
    words, lines, current = text.split(" "), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and font.stringWidth(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return lines + [current]
