"""Vpoint codes (mã Vpoint): 5 to 16 letters or digits, one member per code."""

from __future__ import annotations

from chassis.errors import FieldError

SHEET_NAME = "DANHSACHVPOINT"
MIN_LENGTH, MAX_LENGTH = 5, 16


def vpoint_problem(code: str) -> FieldError | None:
    """What is wrong with a Vpoint code, if anything (the code as typed, spaces already removed)."""
    if not MIN_LENGTH <= len(code) <= MAX_LENGTH:
        return FieldError(
            "vpoint_code",
            "vpoint-length",
            "Mã Vpoint phải dài từ 5 đến 16 ký tự",
            "A Vpoint code is 5 to 16 characters",
        )
    if not (code.isascii() and code.isalnum()):
        return FieldError(
            "vpoint_code",
            "vpoint-characters",
            "Mã Vpoint chỉ gồm chữ cái và chữ số",
            "A Vpoint code has only letters and digits",
        )
    return None
