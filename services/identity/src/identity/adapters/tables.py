"""identity's own tables. The tree replica tables (`tree_units`, `tree_closure`) come from the chassis."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    text,
)

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("username", Text, nullable=False, unique=True),
    Column("full_name", Text, nullable=False),
    Column("full_name_search", Text, nullable=False),
    Column("email", Text),
    Column("phone", Text),
    Column("home_unit_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("must_change_password", Boolean, nullable=False, server_default=text("false")),
    Column("failed_logins", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", DateTime(timezone=True)),
    # The account-wide progressive delay (`LoginDelayPolicy`): attempts from unknown addresses wait until then.
    Column("login_delay_until", DateTime(timezone=True)),
    Column("last_login_at", DateTime(timezone=True)),
    # Encrypted with the service's secret (AES-GCM); the TOTP counter of the last accepted code stops replays.
    Column("totp_secret", LargeBinary),
    Column("totp_enabled", Boolean, nullable=False, server_default=text("false")),
    Column("totp_last_step", BigInteger),
    # Set by an administrator: the next login must enrol in TOTP first.
    Column("totp_enrolment_required", Boolean, nullable=False, server_default=text("false")),
    # Single-use recovery codes, each stored as "<salt hex>$<sha256(salt + code) hex>".
    Column("totp_recovery_codes", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("users_home_unit", "home_unit_id", "username"),
    info={"scoped_by": "home_unit_id"},
)

# Failed logins per account AND address: a lock holds the address that guessed wrong, not the account, so
# one person cannot lock another out; `users.failed_logins`/`locked_until` summarise it for administrators.
login_failures = Table(
    "login_failures",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.user_id"), primary_key=True),
    Column("client_ip", Text, primary_key=True),  # as the gateway signed it; "" when none came
    Column("failures", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    # The account logged in from this address: the account-wide delay does not hold its owner back here.
    Column("last_success_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

delegations = Table(
    "delegations",
    metadata,
    Column("delegation_id", Uuid, primary_key=True),
    Column("delegator_id", Uuid, ForeignKey("users.user_id"), nullable=False),
    Column("delegate_id", Uuid, ForeignKey("users.user_id"), nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("ended_at", DateTime(timezone=True)),
    Column("ended_by", Text),
    Index("delegations_delegate", "delegate_id"),
    info={"scoped_by": "unit_id"},
)

# Grants are never deleted: a revoked grant keeps who granted and who revoked it, and when.
role_grants = Table(
    "role_grants",
    metadata,
    Column("grant_id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.user_id"), nullable=False),
    Column("role", Text, nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("granted_by", Text, nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", Text),
    # Set when the grant exists only through a delegation (valid between its dates).
    Column("delegation_id", Uuid, ForeignKey("delegations.delegation_id")),
    Index("role_grants_user_active", "user_id", postgresql_where=text("revoked_at IS NULL")),
    Index("role_grants_unit_active", "unit_id", "role", postgresql_where=text("revoked_at IS NULL")),
    Index(
        "role_grants_one_active",
        "user_id",
        "role",
        "unit_id",
        unique=True,
        postgresql_where=text("revoked_at IS NULL AND delegation_id IS NULL"),
    ),
    info={"scoped_by": "unit_id"},
)

handovers = Table(
    "handovers",
    metadata,
    Column("handover_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("from_user_id", Uuid, ForeignKey("users.user_id"), nullable=False),
    Column("to_user_id", Uuid, ForeignKey("users.user_id"), nullable=False),
    Column("roles", ARRAY(Text), nullable=False),
    Column("reason", Text, nullable=False),
    Column("performed_by", Text, nullable=False),
    Column("performed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    info={"scoped_by": "unit_id"},
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", Text, primary_key=True),
    Column("algorithm", Text, nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("private_key", LargeBinary, nullable=False),  # AES-GCM encrypted
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Set when a newer key took over signing; the public key stays published until `publish_until`.
    Column("retired_at", DateTime(timezone=True)),
    Column("publish_until", DateTime(timezone=True)),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_id", Uuid, primary_key=True),
    Column("family_id", Uuid, nullable=False),
    Column("user_id", Uuid, ForeignKey("users.user_id"), nullable=False),
    # SHA-256 of the opaque token: the token itself is never stored.
    Column("token_hash", Text, nullable=False, unique=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("rotated_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoke_reason", Text),
    Column("client_ip", Text),
    Index("refresh_tokens_family", "family_id"),
    Index("refresh_tokens_user_live", "user_id", postgresql_where=text("revoked_at IS NULL")),
)

# Machine clients (OAuth2 client credentials) of banks and provincial apps. Never deleted: disabled instead.
machine_clients = Table(
    "machine_clients",
    metadata,
    Column("client_id", Text, primary_key=True),  # public, "mc_" + 20 random hex digits
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),  # bank | provincial_app | other
    # The subtree the client reaches: every scope is granted on this unit.
    Column("unit_id", Uuid, nullable=False),
    # The partner the client speaks for, e.g. a bank code ("VCB"); services limit partner data to it.
    Column("partner_code", Text),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("rate_limit_per_minute", Integer, nullable=False),
    Column("status", Text, nullable=False),
    # argon2id of the secret (same hasher as passwords); the secret itself is shown once and never stored.
    Column("secret_hash", Text, nullable=False),
    Column("secret_rotated_at", DateTime(timezone=True), nullable=False),
    # Wrong secrets lock the client like wrong passwords lock an account.
    Column("failed_attempts", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", DateTime(timezone=True)),
    Column("last_token_at", DateTime(timezone=True)),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_by", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("disabled_by", Text),
    Column("disabled_at", DateTime(timezone=True)),
    Column("disable_reason", Text),
    CheckConstraint("rate_limit_per_minute > 0", name="machine_clients_rate_limit_positive"),
    CheckConstraint("kind IN ('bank', 'provincial_app', 'other')", name="machine_clients_kind"),
    CheckConstraint("status IN ('active', 'disabled')", name="machine_clients_status"),
    Index("machine_clients_unit", "unit_id", "created_at"),
    Index("machine_clients_created", "created_at", "client_id"),
    info={"scoped_by": "unit_id"},
)

# The platform's partners (banks): a machine client may speak for a partner only if it is here. A partner that
# issues linked cards names the unit whose subtree it issues them for (`identity.partner.v1` tells cards).
partners = Table(
    "partners",
    metadata,
    Column("partner_id", Uuid, primary_key=True),
    Column("partner_code", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("linked_cards_unit_id", Uuid),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status IN ('active', 'disabled')", name="partners_status"),
)
