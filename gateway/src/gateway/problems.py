"""The gateway's own problems; they render through the chassis like every service's."""

from __future__ import annotations

import math

from chassis.errors import Forbidden, Problem, TooManyRequests, Unauthenticated


class UnknownService(Problem):
    status, code, title = 404, "unknown-service", "Not found"


class ServiceUnavailable(Problem):
    status, code, title = 503, "service-unavailable", "Service unavailable"


class UpstreamTimeout(Problem):
    status, code, title = 504, "upstream-timeout", "Gateway timeout"


class BadPath(Problem):
    status, code, title = 400, "bad-path", "Bad request"


class RateLimited(TooManyRequests):
    def __init__(self, retry_after_s: float, limit: str) -> None:
        seconds = max(math.ceil(retry_after_s), 1)
        super().__init__(
            f"Quá nhiều yêu cầu; vui lòng thử lại sau {seconds} giây",
            f"Too many requests; retry in {seconds} seconds",
            extra={"retry_after_s": seconds, "limit": limit},
        )
        self.headers = {"Retry-After": str(seconds)}


class InvalidToken(Unauthenticated):
    code = "invalid-token"

    def __init__(self, why_en: str, code: str | None = None) -> None:
        super().__init__(
            "Mã truy cập không hợp lệ hoặc đã hết hạn; vui lòng đăng nhập lại",
            f"Access token rejected: {why_en}",
            code=code,
        )
        self.headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class PasswordChangeRequired(Forbidden):
    """A token of an account that must change its password first (new account, reset by an administrator)."""

    code = "password-change-required"

    def __init__(self) -> None:
        super().__init__(
            "Bạn cần đổi mật khẩu trước khi tiếp tục",
            "Change your password before anything else",
            extra={"change_password": "/api/v1/identity/me/password"},
        )


class InsufficientScope(Forbidden):
    """A machine client's token lacks a scope the route needs (RFC 6750 §3.1 `insufficient_scope`)."""

    code = "insufficient-scope"

    def __init__(self, service: str, method: str, needed: list[str]) -> None:
        if needed:
            vi = f"Ứng dụng cần một trong các phạm vi {', '.join(needed)} để gọi {method} dịch vụ {service}"
            en = f"The client needs one of the scopes {', '.join(needed)} for {method} on the {service} service"
        else:
            vi = f"Ứng dụng (mã truy cập của máy) không được gọi {method} dịch vụ {service}"
            en = f"Machine clients may not call {method} on the {service} service"
        super().__init__(vi, en, extra={"error": "insufficient_scope", "required_scopes": needed})
        challenge = 'Bearer error="insufficient_scope"'
        self.headers = {"WWW-Authenticate": challenge + (f', scope="{" ".join(needed)}"' if needed else "")}


def missing_token() -> Unauthenticated:
    problem = Unauthenticated("Cần đăng nhập (thiếu mã truy cập)", "Login required (no bearer token)")
    problem.headers = {"WWW-Authenticate": "Bearer"}
    return problem


def checks_unavailable(topics: list[str]) -> ServiceUnavailable:
    """A token cannot be checked against revocations or the unit tree (the broker is unreachable or behind)."""
    problem = ServiceUnavailable(
        "Tạm thời chưa kiểm tra được phiên đăng nhập; vui lòng thử lại sau ít phút",
        f"Cannot check access tokens right now: {', '.join(topics)} not current",
        code="checks-unavailable",
        extra={"topics": topics},
    )
    problem.headers = {"Retry-After": "5"}
    return problem
