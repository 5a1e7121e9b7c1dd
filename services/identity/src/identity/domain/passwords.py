"""The password policy: at least 10 characters with letters and digits, not the username."""

from __future__ import annotations

from chassis.errors import FieldError, InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 256


def check_password(password: str, username: str | None = None, field: str = "password") -> None:
    """Raises InvalidInput naming every rule the password breaks, in Vietnamese and English."""
    problems: list[FieldError] = []
    if len(password) < MIN_LENGTH:
        problems.append(
            FieldError(
                field,
                "password-too-short",
                f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự",
                f"The password must have at least {MIN_LENGTH} characters",
            )
        )
    if len(password) > MAX_LENGTH:
        problems.append(
            FieldError(
                field,
                "password-too-long",
                f"Mật khẩu không được dài quá {MAX_LENGTH} ký tự",
                f"The password must have at most {MAX_LENGTH} characters",
            )
        )
    if not any(c.isalpha() for c in password):
        problems.append(
            FieldError(
                field,
                "password-needs-letter",
                "Mật khẩu phải có ít nhất một chữ cái",
                "The password must contain at least one letter",
            )
        )
    if not any(c.isdigit() for c in password):
        problems.append(
            FieldError(
                field,
                "password-needs-digit",
                "Mật khẩu phải có ít nhất một chữ số",
                "The password must contain at least one digit",
            )
        )
    if username and len(username) >= 3 and username.lower() in password.lower():
        problems.append(
            FieldError(
                field,
                "password-contains-username",
                "Mật khẩu không được chứa tên đăng nhập",
                "The password must not contain the username",
            )
        )
    if problems:
        raise InvalidInput(
            "Mật khẩu không đạt yêu cầu: " + "; ".join(p.message_vi for p in problems),
            "The password does not meet the policy: " + "; ".join(p.message_en for p in problems),
            field=field,
            code="weak-password",
            errors=problems,
        )
