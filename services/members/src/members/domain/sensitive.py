"""Sensitive fields of a member (ID number, ethnicity, religion): in the clear only for a caller who holds
`members.read_sensitive` on the member's unit; masked the same way in every answer and every export."""

from __future__ import annotations

SENSITIVE_FIELDS = ("id_number", "ethnicity", "religion")


def mask(value: str | None, keep: int = 3) -> str | None:
    """All but the last `keep` characters hidden: enough for a person to recognise their own number."""
    if value is None:
        return None
    return "*" * max(len(value) - keep, 0) + value[-keep:]


def masked(fields: dict) -> dict:
    """The fields as a caller without the right sees them: the ID number's last digits, no ethnicity or religion."""
    return {**fields, "id_number": mask(fields.get("id_number")), "ethnicity": None, "religion": None}
