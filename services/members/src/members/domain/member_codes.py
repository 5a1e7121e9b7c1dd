"""National member codes (mã số đoàn viên).

Format: 11 digits, `SSSSSSSSSCC`.
- `SSSSSSSSS`: a 9-digit serial from the PostgreSQL sequence `member_code_seq`, zero-padded
  (room for 999,999,999 members; the registry holds about 12 million).
- `CC`: two check digits, ISO 7064 MOD 97-10 (the scheme of IBAN): the whole code read as a number
  is 1 modulo 97. It catches every single wrong digit and every swap of two adjacent digits.

Why no province or unit prefix: a member keeps the code for life, across transfers between
provinces, so a prefix would soon be wrong. Why 11 digits: nobody mistakes it for a CCCD (12)
or a CMND (9) at the public lookup. Codes are unique nationally and never reused: the sequence
never cycles, a rolled-back approval leaves a gap, and the column is unique over every row,
removed members included. The same arithmetic runs in SQL (`member_code_of`, migration 0002)
so bulk approval issues codes in one statement; a test holds the two in step.
"""

from __future__ import annotations

SERIAL_DIGITS = 9
CODE_LENGTH = SERIAL_DIGITS + 2
MAX_SERIAL = 10**SERIAL_DIGITS - 1


def check_digits(serial: int) -> str:
    return f"{98 - (serial * 100) % 97:02d}"


def member_code_of(serial: int) -> str:
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"member code serial {serial} out of range")
    return f"{serial:0{SERIAL_DIGITS}d}{check_digits(serial)}"


def is_valid_member_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and code.isdigit() and int(code) % 97 == 1


# The SQL twin of `member_code_of`, created by migration 0002.
MEMBER_CODE_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION member_code_of(serial bigint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT lpad(serial::text, 9, '0') || lpad((98 - (serial * 100) % 97)::text, 2, '0') $$
"""
