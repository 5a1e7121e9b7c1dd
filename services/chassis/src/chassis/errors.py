"""One error hierarchy, rendered as RFC 9457 problem+json in Vietnamese and English."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message_vi: str
    message_en: str


class Problem(Exception):
    """A failure the caller can understand and act on. Subclasses fix the status and code."""

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        message_vi: str,
        message_en: str,
        *,
        field: str | None = None,
        code: str | None = None,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field
        self.code = code or self.code
        self.errors = errors or []
        self.extra = extra or {}
        self.headers: dict[str, str] = {}  # response headers that belong to the answer (Allow, Retry-After)

    def body(self, instance: str | None = None, request_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"urn:congdoan:problem:{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.message_en,
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }
        if self.field:
            body["field"] = self.field
        if self.errors:
            body["errors"] = [asdict(error) for error in self.errors]
        if instance:
            body["instance"] = instance
        if request_id:
            body["request_id"] = request_id
        body.update(self.extra)
        return body


class InvalidInput(Problem):
    status, code, title = 422, "invalid-input", "Invalid input"


class RuleViolation(Problem):
    status, code, title = 422, "rule-violation", "Business rule violated"


class NotFound(Problem):
    status, code, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, code, title = 409, "conflict", "Conflict"


class Unauthenticated(Problem):
    status, code, title = 401, "unauthenticated", "Authentication required"


class Forbidden(Problem):
    status, code, title = 403, "forbidden", "Forbidden"


class OutOfScope(Forbidden):
    code = "out-of-scope"


class PayloadTooLarge(Problem):
    status, code, title = 413, "payload-too-large", "Payload too large"


class TooManyRequests(Problem):
    status, code, title = 429, "rate-limited", "Too many requests"


class TryAgain(Problem):
    """The transaction lost a deadlock or a serialisation conflict: it changed nothing and may simply be sent again."""

    status, code, title = 503, "try-again", "Try again"
    retry_after_s = 1

    def __init__(self) -> None:
        super().__init__(
            "Dữ liệu này đang được thay đổi cùng lúc; chưa có gì thay đổi, vui lòng gửi lại sau giây lát",
            "The same data was being changed at the same time; nothing was changed, please send the request again",
            extra={"retry_after_s": self.retry_after_s},
        )
        self.headers = {"Retry-After": str(self.retry_after_s)}


class MethodNotAllowed(Problem):
    status, code, title = 405, "method-not-allowed", "Method not allowed"


class MalformedRequest(Problem):
    status, code, title = 400, "malformed-request", "Bad request"


class InternalError(Problem):
    status, code, title = 500, "internal-error", "Internal error"

    def __init__(self) -> None:
        super().__init__(
            "Lỗi hệ thống; yêu cầu chưa được thực hiện xong, vui lòng thử lại hoặc báo quản trị viên",
            "Internal error; the request may not have been carried out, please retry or report it",
        )


def from_http_exception(status: int, detail: str, headers: dict[str, str] | None = None) -> Problem:
    """The framework's own refusals (routing, unparsable bodies) as problems of ours."""
    problem: Problem
    if status == 404:
        problem = NotFound("Không có đường dẫn này", "No such path")
    elif status == 405:
        allowed = (headers or {}).get("Allow", "")
        problem = MethodNotAllowed(
            f"Đường dẫn này không nhận phương thức này (chỉ nhận: {allowed})",
            f"This path does not take this method (allowed: {allowed})",
            extra={"allowed": [m.strip() for m in allowed.split(",") if m.strip()]},
        )
    elif status == 413:
        problem = PayloadTooLarge("Dữ liệu gửi lên quá lớn", f"The request is too large: {detail}")
    elif status == 400:
        # FastAPI's "error parsing the body": invalid UTF-8, nesting too deep for the parser, broken multipart.
        problem = MalformedRequest(
            "Nội dung gửi lên không đọc được (sai định dạng, sai mã UTF-8 hoặc lồng quá sâu)",
            f"The request body cannot be read: {detail}",
            field="body",
        )
    else:
        problem = Problem("Yêu cầu không hợp lệ", detail)
        problem.status = status
    problem.headers = dict(headers or {})
    return problem


# PostgreSQL's deadlock_detected and serialization_failure: the transaction was rolled back whole.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


# Vietnamese messages for pydantic's error types; the English one comes from pydantic itself.
VALIDATION_MESSAGES_VI: dict[str, str] = {
    "missing": "Trường này là bắt buộc",
    "string_too_short": "Giá trị quá ngắn",
    "string_too_long": "Giá trị quá dài",
    "string_pattern_mismatch": "Giá trị không đúng định dạng",
    "string_type": "Phải là chuỗi ký tự",
    "int_parsing": "Phải là số nguyên",
    "int_type": "Phải là số nguyên",
    "uuid_parsing": "Mã định danh (UUID) không hợp lệ",
    "uuid_type": "Mã định danh (UUID) không hợp lệ",
    "date_parsing": "Ngày không hợp lệ",
    "date_from_datetime_parsing": "Ngày không hợp lệ",
    "date_type": "Ngày không hợp lệ",
    "literal_error": "Giá trị không thuộc danh sách cho phép",
    "enum": "Giá trị không thuộc danh sách cho phép",
    "json_invalid": "Nội dung không phải JSON hợp lệ",
    "model_attributes_type": "Nội dung phải là một đối tượng JSON",
    "dict_type": "Nội dung phải là một đối tượng JSON",
    "extra_forbidden": "Trường này không được phép",
    "greater_than_equal": "Giá trị quá nhỏ",
    "less_than_equal": "Giá trị quá lớn",
    "value_error": "Giá trị không hợp lệ",
    "bool_parsing": "Phải là đúng/sai (true/false)",
}


def from_validation_errors(errors: list[dict[str, Any]]) -> InvalidInput:
    field_errors = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        field = ".".join(location) or "body"
        message_vi = VALIDATION_MESSAGES_VI.get(error.get("type", ""), "Giá trị không hợp lệ")
        ctx_message = (error.get("ctx") or {}).get("error")
        if error.get("type") == "value_error" and isinstance(ctx_message, Problem):
            message_vi = ctx_message.message_vi
        field_errors.append(FieldError(field, error.get("type", "invalid"), message_vi, error.get("msg", "invalid")))
    first = field_errors[0] if field_errors else None
    return InvalidInput(
        "Dữ liệu gửi lên không hợp lệ" + (f": {first.field} - {first.message_vi}" if first else ""),
        "The request is invalid" + (f": {first.field} - {first.message_en}" if first else ""),
        field=first.field if first else None,
        errors=field_errors,
    )
