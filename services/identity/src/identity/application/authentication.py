"""Logging in, refreshing and logging out; the second factor (TOTP) and changing one's own password.

Some failures must be remembered even though the caller gets an error (a failed login counts
towards the lockout, a reused refresh token revokes its family). Those use cases return an
`Outcome` instead of raising, so the request's transaction commits what they recorded; the
endpoint raises the problem after the commit.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

import pyotp
from chassis.errors import Conflict, InvalidInput, Problem, RuleViolation, Unauthenticated
from chassis.principal import Principal
from contracts.permissions import Role
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.crypto import PasswordHasher, SecretBox, new_opaque_token, token_hash
from identity.adapters.repository import GrantRepository, RefreshTokenRepository, UserRepository
from identity.application.keys import SigningKeys
from identity.application.service import end_sessions
from identity.application.tokens import mint_access_token
from identity.config import IdentitySettings
from identity.domain.model import (
    AccountDisabled,
    AccountLocked,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidTotp,
    LockoutPolicy,
    LoginDelayed,
    LoginDelayPolicy,
    LoginFailures,
    TotpEnrolmentRequired,
    TotpRequired,
    User,
    UserStatus,
    local_today,
    normalise_username,
    user_not_found,
    utcnow,
)
from identity.domain.passwords import check_password

log = logging.getLogger(__name__)
T = TypeVar("T")
TOTP_STEP_S = 30
ADMIN_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.UNIT_ADMIN})


def new_recovery_code() -> str:
    """50 random bits as two groups of five base-32 characters, e.g. `k3m9q-x7p2d`."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _normalise_code(code: str) -> str:
    return code.strip().lower().replace("-", "").replace(" ", "")


def hash_recovery_code(code: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.sha256(salt + _normalise_code(code).encode()).hexdigest()
    return f"{salt.hex()}${digest}"


def recovery_code_matches(stored: str, code: str) -> bool:
    salt_hex, _, _ = stored.partition("$")
    return hmac.compare_digest(stored, hash_recovery_code(code, bytes.fromhex(salt_hex)))


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T | None = None
    problem: Problem | None = None

    def unwrap(self) -> T:
        if self.problem is not None:
            raise self.problem
        return self.value  # type: ignore[return-value]


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    must_change_password: bool
    token_type: str = "Bearer"


@dataclass(frozen=True)
class TotpConfirmation:
    recovery_codes: list[str]
    tokens: Tokens | None = None


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    otpauth_uri: str


class AuthenticationService:
    def __init__(self, session: AsyncSession, settings: IdentitySettings, hasher: PasswordHasher) -> None:
        self.session = session
        self.settings = settings
        self.hasher = hasher
        self.users = UserRepository(session)
        self.grants = GrantRepository(session)
        self.tokens = RefreshTokenRepository(session)
        self.totp_box = SecretBox(settings.secret_encryption_key, "totp-secret")
        self.lockout = LockoutPolicy(settings.lockout_threshold, settings.lockout_base_s, settings.lockout_max_s)
        self.delay = LoginDelayPolicy(
            settings.login_delay_threshold, settings.login_delay_base_s, settings.login_delay_max_s
        )

    async def login(
        self, username: str, password: str, totp_code: str | None, client_ip: str | None
    ) -> Outcome[Tokens]:
        now = utcnow()
        checked = await self._password_checked(username, password, now, client_ip)
        if checked.problem is not None:
            return Outcome(problem=checked.problem)
        user, address = checked.value
        if user.totp_enabled:
            if not totp_code:
                return Outcome(problem=TotpRequired())
            if not await self._accept_second_factor(user.user_id, totp_code, now):
                return await self._failed(user, address, client_ip, now, InvalidTotp())
        elif await self._must_enrol(user, now):
            # Right password, no tokens: the account may only call the login-time enrolment endpoints.
            await self._succeeded(user, client_ip, None)
            return Outcome(problem=TotpEnrolmentRequired())
        await self._succeeded(user, client_ip, now)
        if self.hasher.needs_rehash(user.password_hash):
            await self.users.set_password(user.user_id, await self.hasher.hash(password), user.must_change_password)
        log.info("login", extra={"fields": {"user_id": str(user.user_id), "client_ip": client_ip}})
        return Outcome(await self._issue(user, uuid.uuid4(), client_ip, now))

    async def _password_checked(
        self, username: str, password: str, now: datetime, client_ip: str | None
    ) -> Outcome[tuple[User, LoginFailures]]:
        """Username and password, with the lockout of this account from this address; failures count towards it.

        The lock is per account and address together: a stranger's wrong guesses lock the stranger's address
        out of that account, never the account's owner elsewhere. Guessing from many addresses meets the
        gateway's per-address login limit at each of them, and the account-wide progressive delay: past
        `login_delay_threshold` failures an address the account never logged in from gets one try per delay
        (answered before the password is even checked).
        """
        user = await self.users.by_username(normalise_username(username), for_update=True)
        if user is None:
            await self.hasher.verify(None, password)  # same time as a wrong password: no username probing
            return Outcome(problem=InvalidCredentials())
        address = await self.users.login_failures(user.user_id, client_ip or "")
        if address.locked_at(now):
            return Outcome(problem=AccountLocked(address.locked_until, now))
        if user.login_delayed(now, address):
            return Outcome(problem=LoginDelayed(user.login_delay_until, now))
        if not await self.hasher.verify(user.password_hash, password):
            return await self._failed(user, address, client_ip, now, InvalidCredentials())
        if user.status != UserStatus.ACTIVE:
            return Outcome(
                problem=AccountDisabled(f"Tài khoản {user.username} đã bị khoá", f"Account {user.username} is disabled")
            )
        return Outcome((user, address))

    async def _must_enrol(self, user: User, now: datetime) -> bool:
        if user.totp_enabled:
            return False
        if user.totp_enrolment_required:
            return True
        if not self.settings.require_totp_for_admins:
            return False
        return any(g.role in ADMIN_ROLES for g in await self.grants.effective(user.user_id, local_today(now)))

    async def enrol_totp_at_login(self, username: str, password: str, client_ip: str | None) -> Outcome[TotpEnrolment]:
        """Enrolment for an account whose login answered `totp-enrolment-required` (it has no token yet)."""
        now = utcnow()
        checked = await self._password_checked(username, password, now, client_ip)
        if checked.problem is not None:
            return Outcome(problem=checked.problem)
        user, _ = checked.value
        if not await self._must_enrol(user, now):
            return Outcome(problem=self._not_required(user))
        return Outcome(await self._start_enrolment(user))

    async def confirm_totp_at_login(
        self, username: str, password: str, code: str, client_ip: str | None
    ) -> Outcome[TotpConfirmation]:
        now = utcnow()
        checked = await self._password_checked(username, password, now, client_ip)
        if checked.problem is not None:
            return Outcome(problem=checked.problem)
        user, address = checked.value
        if not await self._must_enrol(user, now):
            return Outcome(problem=self._not_required(user))
        try:
            codes = await self._confirm(user, code, now)
        except InvalidInput as problem:  # a wrong code counts towards the lockout, as at login
            return await self._failed(user, address, client_ip, now, problem)
        await self._succeeded(user, client_ip, now)
        return Outcome(TotpConfirmation(codes, await self._issue(user, uuid.uuid4(), client_ip, now)))

    @staticmethod
    def _not_required(user: User) -> Problem:
        if user.totp_enabled:
            return Conflict(
                "Tài khoản đã bật xác thực hai lớp",
                "Two-factor authentication is already enabled",
                code="totp-already-enabled",
            )
        return RuleViolation(
            "Tài khoản này không cần đăng ký khi đăng nhập; hãy đăng nhập rồi đăng ký",
            "This account need not enrol at login; log in and enrol from the account page",
            code="totp-enrolment-not-required",
        )

    async def refresh(self, refresh_token: str, client_ip: str | None) -> Outcome[Tokens]:
        now = utcnow()
        row = await self.tokens.by_hash(token_hash(refresh_token))
        if row is None:
            return Outcome(problem=InvalidRefreshToken())
        if row.revoked_at is not None:
            return Outcome(
                problem=InvalidRefreshToken(
                    "Phiên đăng nhập đã bị thu hồi", "This session was revoked", code="refresh-token-revoked"
                )
            )
        if row.rotated_at is not None:
            # Someone presents a token that was already exchanged: it leaked. End the whole session.
            await self.tokens.revoke_family(row.family_id, now, "reuse-detected")
            log.warning(
                "refresh token reused; family revoked",
                extra={
                    "fields": {"user_id": str(row.user_id), "family_id": str(row.family_id), "client_ip": client_ip}
                },
            )
            return Outcome(
                problem=InvalidRefreshToken(
                    "Mã làm mới đã được dùng trước đó; phiên đăng nhập bị thu hồi để bảo vệ tài khoản",
                    "Refresh token was already used; the session has been revoked",
                    code="refresh-token-reused",
                )
            )
        if row.expires_at <= now:
            return Outcome(
                problem=InvalidRefreshToken(
                    "Phiên đăng nhập đã hết hạn", "Refresh token expired", code="refresh-token-expired"
                )
            )
        user = await self.users.get(row.user_id)
        if user is None or user.status != UserStatus.ACTIVE:
            await self.tokens.revoke_family(row.family_id, now, "account-disabled")
            return Outcome(
                problem=InvalidRefreshToken("Tài khoản đã bị khoá", "The account is disabled", code="account-disabled")
            )
        await self.tokens.mark_rotated(row.token_id, now)
        return Outcome(await self._issue(user, row.family_id, client_ip, now))

    async def logout(self, principal: Principal, refresh_token: str) -> None:
        """Ends the session the refresh token belongs to. Unknown tokens and other users' tokens change nothing."""
        row = await self.tokens.by_hash(token_hash(refresh_token))
        if row is not None and row.user_id == principal.user_id:
            await self.tokens.revoke_family(row.family_id, utcnow(), "logout")

    async def logout_everywhere(self, principal: Principal) -> None:
        """Ends every session of the caller: refresh tokens at once, access tokens at the gateway (by the event)."""
        await end_sessions(self.session, self.tokens, principal.user_id, "logout-everywhere")

    async def change_password(self, principal: Principal, current: str, new: str) -> None:
        user = await self._me(principal)
        if not await self.hasher.verify(user.password_hash, current):
            raise InvalidInput(
                "Mật khẩu hiện tại không đúng",
                "The current password is wrong",
                code="wrong-password",
                field="current_password",
            )
        check_password(new, user.username, field="new_password")
        if hmac.compare_digest(current, new):
            raise InvalidInput(
                "Mật khẩu mới phải khác mật khẩu cũ",
                "The new password must differ from the old one",
                code="password-unchanged",
                field="new_password",
            )
        await self.users.set_password(user.user_id, await self.hasher.hash(new), must_change=False)
        await end_sessions(self.session, self.tokens, user.user_id, "password-changed")

    async def enrol_totp(self, principal: Principal) -> TotpEnrolment:
        return await self._start_enrolment(await self._me(principal))

    async def _start_enrolment(self, user: User) -> TotpEnrolment:
        if user.totp_enabled:
            raise Conflict(
                "Tài khoản đã bật xác thực hai lớp",
                "Two-factor authentication is already enabled",
                code="totp-already-enabled",
            )
        secret = pyotp.random_base32()
        await self.users.set_totp(user.user_id, totp_secret=self.totp_box.seal(secret.encode()), totp_last_step=None)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=self.settings.totp_issuer)
        return TotpEnrolment(secret=secret, otpauth_uri=uri)

    async def confirm_totp(self, principal: Principal, code: str) -> list[str]:
        return await self._confirm(await self._me(principal), code, utcnow())

    async def _confirm(self, user: User, code: str, now: datetime) -> list[str]:
        """Turns TOTP on and returns fresh recovery codes (shown once; only salted hashes are kept)."""
        state = await self.users.totp_state(user.user_id)
        if state is None or state.totp_secret is None:
            raise RuleViolation(
                "Chưa đăng ký xác thực hai lớp", "Enrol in two-factor authentication first", code="totp-not-enrolled"
            )
        if user.totp_enabled:
            raise Conflict(
                "Tài khoản đã bật xác thực hai lớp",
                "Two-factor authentication is already enabled",
                code="totp-already-enabled",
            )
        if not await self._accept_totp(user.user_id, code, now):
            raise InvalidInput("Mã xác thực hai lớp không đúng", "Wrong TOTP code", code="invalid-totp", field="code")
        codes = [new_recovery_code() for _ in range(self.settings.recovery_code_count)]
        await self.users.set_totp(
            user.user_id,
            totp_enabled=True,
            totp_enrolment_required=False,
            totp_recovery_codes=[hash_recovery_code(c) for c in codes],
        )
        return codes

    async def _accept_second_factor(self, user_id: uuid.UUID, code: str, now: datetime) -> bool:
        """A TOTP code, or one of the recovery codes (which is then used up)."""
        if code.strip().isdigit() and await self._accept_totp(user_id, code, now):
            return True
        state = await self.users.totp_state(user_id)
        stored = list(state.totp_recovery_codes or []) if state is not None else []
        for entry in stored:
            if recovery_code_matches(entry, code):
                stored.remove(entry)
                await self.users.set_totp(user_id, totp_recovery_codes=stored)
                log.info("recovery code used", extra={"fields": {"user_id": str(user_id), "left": len(stored)}})
                return True
        return False

    async def _accept_totp(self, user_id: uuid.UUID, code: str, now: datetime) -> bool:
        """One step either side for clock drift; a code is accepted once (its step must be newer than the last)."""
        state = await self.users.totp_state(user_id)
        if state is None or state.totp_secret is None:
            return False
        totp = pyotp.TOTP(self.totp_box.open(state.totp_secret).decode())
        current = int(now.timestamp()) // TOTP_STEP_S
        for step in (current - 1, current, current + 1):
            if state.totp_last_step is not None and step <= state.totp_last_step:
                continue
            if hmac.compare_digest(totp.at(step * TOTP_STEP_S), code.strip()):
                await self.users.set_totp(user_id, totp_last_step=step)
                return True
        return False

    async def _failed(
        self, user: User, address: LoginFailures, client_ip: str | None, now: datetime, problem: Problem
    ) -> Outcome:
        counted = address.failed(now, self.lockout)
        await self.users.save_login_failures(user.user_id, client_ip or "", counted)
        await self.users.save_login_state(user.failed_login(now, counted, self.delay))
        log.info("login failed", extra={"fields": {"user_id": str(user.user_id), "failures": counted.failures}})
        if counted.locked_at(now):
            return Outcome(problem=AccountLocked(counted.locked_until, now))
        return Outcome(problem=problem)

    async def _succeeded(self, user: User, client_ip: str | None, logged_in_at: datetime | None) -> None:
        """The right password (and second factor) from this address: its failures are forgotten."""
        await self.users.save_login_failures(user.user_id, client_ip or "", None)
        await self.users.save_login_state(user.logged_in(), logged_in_at=logged_in_at)

    async def _issue(self, user: User, family_id: uuid.UUID, client_ip: str | None, now: datetime) -> Tokens:
        grants = await self.grants.effective(user.user_id, local_today(now))
        key = await SigningKeys(self.session, self.settings).current(now)
        access = mint_access_token(
            key,
            user,
            grants,
            issuer=self.settings.token_issuer,
            audience=self.settings.token_audience,
            ttl_s=self.settings.access_token_ttl_s,
            now=now,
        )
        refresh = new_opaque_token()
        await self.tokens.add(
            token_id=uuid.uuid4(),
            family_id=family_id,
            user_id=user.user_id,
            token_hash=token_hash(refresh),
            issued_at=now,
            expires_at=now + timedelta(seconds=self.settings.refresh_token_ttl_s),
            client_ip=client_ip,
        )
        return Tokens(access, refresh, self.settings.access_token_ttl_s, user.must_change_password)

    async def _me(self, principal: Principal) -> User:
        if principal.user_id is None:
            raise Unauthenticated("Cần đăng nhập", "Login required")
        user = await self.users.get(principal.user_id, for_update=True)
        if user is None:
            raise user_not_found(principal.user_id)
        return user
