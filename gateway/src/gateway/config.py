from typing import Literal

from chassis.settings import ServiceSettings
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024


class GatewaySettings(BaseSettings):
    """The gateway's settings (`GATEWAY_<FIELD>`). It has no database and publishes nothing."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    http_host: str = "127.0.0.1"
    http_port: int = 8000

    orgtree_url: str = "http://127.0.0.1:8101"
    members_url: str = "http://127.0.0.1:8102"
    identity_url: str = "http://127.0.0.1:8103"
    reporting_url: str = "http://127.0.0.1:8104"
    dues_url: str = "http://127.0.0.1:8105"
    cards_url: str = "http://127.0.0.1:8106"

    internal_token_secret: str = ServiceSettings.model_fields["internal_token_secret"].default
    internal_token_audience: str = "congdoan-services"
    # The broker, read for `orgtree.unit.v1` only (the in-memory unit tree of the scope precheck).
    # Same meaning as every service's kafka_* settings; the local runner sets them (GATEWAY_KAFKA_*).
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    kafka_ssl_cafile: str | None = None
    kafka_fetch_max_wait_ms: int = 20
    # Refuse a unit named in the path or query outside the principal's subtrees (needs the broker).
    unit_scope_check: bool = True
    # Refuse a user's tokens issued before their roles changed (read from identity.user.v1, see revocations.py).
    token_revocation: bool = True

    span_log_path: str | None = None
    log_level: str = "INFO"
    log_json: bool = True

    # Access tokens: what identity issues, checked locally against its JWKS.
    token_issuer: str = "congdoan-identity"
    token_audience: str = "congdoan"
    clock_skew_s: int = 30
    jwks_refresh_s: int = 300
    # An unknown `kid` triggers a refetch at most this often, so junk tokens cannot hammer identity.
    jwks_min_refetch_s: float = 10.0
    # Access tokens that verified, remembered until their `exp` (LRU; 0 turns the cache off).
    token_cache_size: int = 10_000
    # An internal token (valid 60 s) is reused for the same principal and client address this long.
    internal_token_reuse_s: float = 30.0

    max_body_bytes: int = 300 * MB
    upstream_connect_timeout_s: float = 5.0
    upstream_read_timeout_s: float = 60.0
    upstream_write_timeout_s: float = 60.0
    upstream_max_connections: int = 200
    upstream_max_keepalive: int = 50
    # Below the services' own keep-alive timeout (uvicorn: 5 s), so the gateway drops an idle connection first.
    upstream_keepalive_expiry_s: float = 4.0

    # Token buckets, in-process (per gateway replica): sustained rate per minute and burst size.
    rate_limit_ip_per_minute: float = 1200
    rate_limit_ip_burst: int = 200
    rate_limit_user_per_minute: float = 600
    rate_limit_user_burst: int = 100
    rate_limit_login_per_minute: float = 10
    rate_limit_login_burst: int = 5
    rate_limit_public_per_minute: float = 30
    rate_limit_public_burst: int = 10
    # Machine clients' token endpoint, per IP (wrong secrets also lock the client in identity). Each client's
    # own calls are limited by the rate its token carries, set per client in identity.
    rate_limit_token_per_minute: float = 30
    rate_limit_token_burst: int = 10
    rate_limit_max_keys: int = 100_000

    # X-Forwarded-For is believed only from these peers (the load balancer in front).
    trusted_proxies: list[str] = []
    cors_allow_origins: list[str] = ["*"]
    gzip_min_bytes: int = 1024
    openapi_cache_s: float = 60.0
    # The merged audit view asks every service at once; one slower than this is reported missing.
    audit_service_timeout_s: float = 5.0
