from typing import ClassVar

from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")
    secret_fields: ClassVar[tuple[str, ...]] = (
        "internal_token_secret",
        "secret_encryption_key",
        "bootstrap_admin_password",
    )

    service_name: str = "identity"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_identity"
    http_port: int = 8103

    # The first administrator, created by the first migration (national_admin on the national centre). In
    # production it must change this password (and enrol TOTP, `require_totp_for_admins`) before anything else.
    bootstrap_admin_username: str = "admin"
    bootstrap_admin_password: str = "Admin@12345"
    bootstrap_admin_full_name: str = "Quản trị hệ thống"

    token_issuer: str = "congdoan-identity"
    token_audience: str = "congdoan"
    access_token_ttl_s: int = 600
    refresh_token_ttl_s: int = 14 * 24 * 3600
    # A signing key signs for this long; its public key stays published until its last token expired.
    signing_key_max_age_s: int = 30 * 24 * 3600
    # Encrypts private signing keys and TOTP secrets at rest (AES-256-GCM, key derived from this).
    secret_encryption_key: str = "change-me-identity-encryption-key-for-local-only-0123456789"

    lockout_threshold: int = 5
    lockout_base_s: int = 60
    lockout_max_s: int = 3600
    # Account-wide, across addresses: from this many failures since the last success, each further attempt
    # from an address the account never logged in from waits base, 2×base, … up to max seconds.
    login_delay_threshold: int = 10
    login_delay_base_s: float = 1.0
    login_delay_max_s: float = 60.0

    # argon2id cost; the defaults are argon2-cffi's RFC 9106 "low memory" profile.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4

    totp_issuer: str = "Cong doan Viet Nam"
    # national_admin and unit_admin cannot get tokens before confirming TOTP. The local runner turns this
    # off so its bootstrap admin (and demo data, end-to-end tests) can log in with a password alone.
    require_totp_for_admins: bool = True
    recovery_code_count: int = 10
    # The longest delegation (uỷ quyền), both ends counted: six months covers a maternity leave; longer absences
    # call for a role grant or a handover, which an administrator decides, not a loan of one's own roles.
    delegation_max_days: int = 183
