"""Accounts, role grants and delegations. Plain Python: no framework, no database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from chassis.errors import Conflict, Forbidden, NotFound, Problem, RuleViolation, Unauthenticated
from contracts.events.identity_user_v1 import RoleGrant
from contracts.wellknown import vietnamese_date


class UserStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


STATUS_VI = {UserStatus.ACTIVE: "đang hoạt động", UserStatus.DISABLED: "đã bị khoá"}


@dataclass(frozen=True)
class Grant:
    grant_id: UUID
    user_id: UUID
    role: str
    unit_id: UUID
    granted_by: str
    granted_at: datetime
    delegation_id: UUID | None = None
    # Whose role a delegated grant lends (filled where grants are loaded with their delegation).
    delegator_id: UUID | None = None

    def contract(self) -> RoleGrant:
        return RoleGrant(role=self.role, unit_id=self.unit_id)


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int = 5
    base_s: int = 60
    max_s: int = 3600

    def lock_for(self, failures: int) -> timedelta | None:
        """Exponential back-off: the threshold-th failure locks for `base_s`, each further one doubles it."""
        if failures < self.threshold:
            return None
        return timedelta(seconds=min(self.base_s * 2 ** (failures - self.threshold), self.max_s))


@dataclass(frozen=True)
class LoginDelayPolicy:
    """Account-wide, across addresses: a guessing attack spread over many addresses gets one try per delay.

    It never locks: the owner at an address they logged in from before is not held back at all, and from a new
    address waits at most `max_s`."""

    threshold: int = 10
    base_s: float = 1.0
    max_s: float = 60.0

    def delay_for(self, failures: int) -> timedelta | None:
        if failures < self.threshold:
            return None
        return timedelta(seconds=min(self.base_s * 2 ** min(failures - self.threshold, 30), self.max_s))


@dataclass(frozen=True)
class LoginFailures:
    """The failed logins of one account from one address since its last success there, and its lock."""

    failures: int = 0
    locked_until: datetime | None = None
    known: bool = False  # the account logged in from this address before

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def failed(self, now: datetime, policy: LockoutPolicy) -> LoginFailures:
        failures = self.failures + 1
        lock = policy.lock_for(failures)
        return LoginFailures(failures, now + lock if lock else self.locked_until, self.known)


@dataclass(frozen=True)
class User:
    user_id: UUID
    username: str
    full_name: str
    home_unit_id: UUID
    password_hash: str
    created_at: datetime
    email: str | None = None
    phone: str | None = None
    status: UserStatus = UserStatus.ACTIVE
    must_change_password: bool = False
    # A summary for administrators (failures from any address, the latest lock of one); the lockout itself is
    # per address (`LoginFailures`).
    failed_logins: int = 0
    locked_until: datetime | None = None
    login_delay_until: datetime | None = None
    totp_enabled: bool = False
    totp_enrolment_required: bool = False

    def failed_login(self, now: datetime, address: LoginFailures, delay: LoginDelayPolicy) -> User:
        latest = max((t for t in (self.locked_until, address.locked_until) if t is not None), default=None)
        failures = self.failed_logins + 1
        wait = delay.delay_for(failures)
        return replace(
            self,
            failed_logins=failures,
            locked_until=latest,
            login_delay_until=now + wait if wait else self.login_delay_until,
        )

    def login_delayed(self, now: datetime, address: LoginFailures) -> bool:
        """Held back by the account-wide delay: only from an address the account never logged in from."""
        return not address.known and self.login_delay_until is not None and self.login_delay_until > now

    def logged_in(self) -> User:
        return replace(self, failed_logins=0, locked_until=None, login_delay_until=None)

    def ensure_active(self) -> None:
        if self.status != UserStatus.ACTIVE:
            raise AccountDisabled(f"Tài khoản {self.username} đã bị khoá", f"Account {self.username} is disabled")


def normalise_username(username: str) -> str:
    return username.strip().lower()


# ---- problems of this context -------------------------------------------------------------


class InvalidCredentials(Unauthenticated):
    code = "invalid-credentials"

    def __init__(self, **extra) -> None:
        super().__init__("Tên đăng nhập hoặc mật khẩu không đúng", "Wrong username or password", extra=extra or None)


class AccountLocked(Problem):
    """This account from this address: the same account from elsewhere is not locked."""

    status, code, title = 423, "account-locked", "Account locked"

    def __init__(self, locked_until: datetime, now: datetime) -> None:
        seconds = max(int((locked_until - now).total_seconds()) + 1, 1)
        super().__init__(
            f"Tài khoản tạm khoá trên thiết bị này do đăng nhập sai nhiều lần; thử lại sau {seconds} giây",
            f"Account locked from this address after repeated failed logins; try again in {seconds} seconds",
            extra={"locked_until": locked_until.isoformat(), "retry_after_s": seconds},
        )
        self.headers = {"Retry-After": str(seconds)}


class LoginDelayed(Problem):
    """Many failed logins of this account from many addresses: a new address waits before its next try. Nothing
    is locked, and the owner at an address they logged in from before is not held back."""

    status, code, title = 429, "login-delayed", "Login delayed"

    def __init__(self, delay_until: datetime, now: datetime) -> None:
        seconds = max(int((delay_until - now).total_seconds()) + 1, 1)
        super().__init__(
            f"Tài khoản này vừa bị đăng nhập sai nhiều lần; vui lòng thử lại sau {seconds} giây",
            f"This account had many failed logins; try again in {seconds} seconds",
            extra={"retry_after_s": seconds},
        )
        self.headers = {"Retry-After": str(seconds)}


class AccountDisabled(Forbidden):
    code = "account-disabled"


class TotpRequired(Unauthenticated):
    code = "totp-required"

    def __init__(self) -> None:
        super().__init__("Cần nhập mã xác thực hai lớp (TOTP)", "A TOTP code is required", field="totp_code")


class InvalidTotp(Unauthenticated):
    code = "invalid-totp"

    def __init__(self) -> None:
        super().__init__("Mã xác thực hai lớp không đúng", "Wrong TOTP code", field="totp_code")


class TotpEnrolmentRequired(Forbidden):
    """Right password, but the account must enrol in TOTP before it gets tokens."""

    code = "totp-enrolment-required"

    def __init__(self) -> None:
        super().__init__(
            "Tài khoản phải đăng ký xác thực hai lớp (TOTP) trước khi đăng nhập",
            "This account must enrol in two-factor authentication (TOTP) before logging in",
            extra={"enrol": "/api/v1/identity/login/totp", "confirm": "/api/v1/identity/login/totp/confirm"},
        )


class InvalidRefreshToken(Unauthenticated):
    code = "invalid-refresh-token"

    def __init__(
        self,
        reason_vi: str = "Phiên đăng nhập không hợp lệ hoặc đã hết hạn",
        reason_en: str = "Refresh token is invalid or expired",
        code: str | None = None,
    ) -> None:
        super().__init__(reason_vi, reason_en, field="refresh_token", code=code)


def user_not_found(user_id: UUID) -> NotFound:
    return NotFound(f"Không tìm thấy người dùng {user_id}", f"User {user_id} not found", field="user_id")


def duplicate_username(username: str) -> Conflict:
    return Conflict(
        f"Tên đăng nhập '{username}' đã tồn tại",
        f"Username '{username}' already exists",
        code="duplicate-username",
        field="username",
    )


def unit_unknown(unit_id: UUID, field: str) -> NotFound:
    return NotFound(
        f"Không tìm thấy đơn vị {unit_id} (có thể chưa được đồng bộ từ cây tổ chức)",
        f"Unit {unit_id} not found (it may not have reached identity's copy of the tree yet)",
        code="unit-not-found",
        field=field,
    )


def unit_cannot_have_users(unit_code: str, field: str) -> RuleViolation:
    return RuleViolation(
        f"Đơn vị {unit_code} không được phép có tài khoản người dùng hoặc đã ngừng hoạt động",
        f"Unit {unit_code} cannot have user accounts or is no longer active",
        code="unit-cannot-have-users",
        field=field,
    )


def dates_in_order(starts_on: date, ends_on: date, today: date, longest_days: int) -> None:
    """A delegation's dates: in order, not over yet, and no longer than `longest_days` (both ends counted)."""
    if ends_on < starts_on:
        raise RuleViolation(
            "Ngày kết thúc uỷ quyền phải sau ngày bắt đầu",
            "A delegation must end on or after its start",
            code="delegation-dates",
            field="ends_on",
        )
    if ends_on < today:
        raise RuleViolation(
            "Ngày kết thúc uỷ quyền đã qua",
            "A delegation cannot end in the past",
            code="delegation-dates",
            field="ends_on",
        )
    if (ends_on - starts_on).days + 1 > longest_days:
        last = starts_on + timedelta(days=longest_days - 1)
        raise RuleViolation(
            f"Uỷ quyền dài nhất {longest_days} ngày: với ngày bắt đầu đã chọn, ngày kết thúc muộn nhất là "
            f"{last:%d/%m/%Y}",
            f"A delegation lasts at most {longest_days} days: starting on the date chosen, it ends by {last:%Y-%m-%d}",
            code="delegation-too-long",
            field="ends_on",
        )


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today(now: datetime) -> date:
    """Today in Việt Nam: delegation dates are Vietnamese calendar dates."""
    return vietnamese_date(now)
