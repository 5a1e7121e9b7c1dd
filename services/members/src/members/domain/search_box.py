"""One search box for members: what the typed text most likely is."""

from __future__ import annotations

import re

from members.domain.member_codes import is_valid_member_code
from members.domain.model import normalise_phone


def classify(text: str) -> dict[str, str]:
    """The filter the text stands for: an ID number (9 or 12 digits), a member code (11 digits with valid check
    digits), a phone number, or else a name."""
    compact = re.sub(r"[\s.\-]", "", text)
    if compact.isdigit() and len(compact) in (9, 12):
        return {"id_number": compact}
    if compact.isdigit() and is_valid_member_code(compact):
        return {"member_code": compact}
    if re.fullmatch(r"(\+?84|0)\d{9}", compact):
        return {"phone": normalise_phone(compact)}
    return {"name": text}
