"""Which change a member's status allows, and the rules of suspension.

Nothing is ever deleted: removal (xóa tên) is a status, and every change is history.
"""

from __future__ import annotations

from datetime import date

from chassis.errors import InvalidInput, RuleViolation

STATUS_VI = {
    "pending": "chờ phê duyệt",
    "rejected": "bị từ chối",
    "active": "đang sinh hoạt",
    "suspended": "tạm dừng sinh hoạt",
    "retired": "thôi sinh hoạt (nghỉ hưu)",
    "removed": "đã xóa tên",
}

ACTION_VI = {
    "approve": "phê duyệt",
    "reject": "từ chối",
    "suspend": "tạm dừng sinh hoạt",
    "resume": "sinh hoạt trở lại",
    "retire": "thôi sinh hoạt khi nghỉ hưu",
    "remove": "xóa tên",
    "transfer": "chuyển sinh hoạt",
    "change_position": "thay đổi chức vụ",
    "correct": "sửa thông tin",
}

# action -> (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "approve": (frozenset({"pending"}), "active"),
    "reject": (frozenset({"pending"}), "rejected"),
    "suspend": (frozenset({"active"}), "suspended"),
    "resume": (frozenset({"suspended"}), "active"),
    "retire": (frozenset({"active", "suspended"}), "retired"),
    "remove": (frozenset({"pending", "active", "suspended", "retired"}), "removed"),
    "transfer": (frozenset({"active", "suspended"}), None),
    "change_position": (frozenset({"pending", "active", "suspended"}), None),
    "correct": (frozenset({"pending", "active", "suspended", "retired"}), None),
}

MAX_SUSPENSION_MONTHS = 12


def next_status(current: str, action: str) -> str:
    """The status after `action`, or a rule violation naming both in Vietnamese and English."""
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise RuleViolation(
            f'Không thể {ACTION_VI[action]} đoàn viên đang ở trạng thái "{STATUS_VI[current]}"',
            f"Cannot {action.replace('_', ' ')} a member whose status is {current}",
            code="invalid-status",
            field="status",
            extra={"status": current, "action": action},
        )
    return target or current


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check_suspension_end(until: date, today: date) -> None:
    """Suspension ends on a day after today and at most 12 months from today."""
    latest = add_months(today, MAX_SUSPENSION_MONTHS)
    if until <= today:
        raise InvalidInput(
            "Ngày kết thúc tạm dừng sinh hoạt phải sau ngày hôm nay",
            "The end of a suspension must be after today",
            code="suspension-end-in-past",
            field="until",
        )
    if until > latest:
        raise InvalidInput(
            f"Tạm dừng sinh hoạt tối đa {MAX_SUSPENSION_MONTHS} tháng (đến {latest:%d/%m/%Y})",
            f"A suspension lasts at most {MAX_SUSPENSION_MONTHS} months (until {latest.isoformat()})",
            code="suspension-too-long",
            field="until",
        )
