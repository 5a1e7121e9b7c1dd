from typing import ClassVar

from chassis.settings import Environment, KafkaSettings, ServiceSettings
from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

MB = 1024 * 1024


class GatewaySettings(KafkaSettings):
    """The gateway's settings (`GATEWAY_<FIELD>`). It has no database and publishes nothing.

    The broker settings (`GATEWAY_KAFKA_*`, the chassis's `KafkaSettings`) are read for the feeds only:
    `orgtree.unit.v1` (the in-memory unit tree of the scope precheck) and `identity.user.v1` (revocations)."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")
    secret_fields: ClassVar[tuple[str, ...]] = ServiceSettings.secret_fields

    service_name: str = "gateway"
    environment: Environment = "production"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # `/metrics` of the gateway, on its own port (0: none): never on the port clients reach.
    metrics_port: int = 0

    orgtree_url: str = "http://127.0.0.1:8101"
    members_url: str = "http://127.0.0.1:8102"
    identity_url: str = "http://127.0.0.1:8103"
    reporting_url: str = "http://127.0.0.1:8104"
    dues_url: str = "http://127.0.0.1:8105"
    cards_url: str = "http://127.0.0.1:8106"

    internal_token_secret: str = ServiceSettings.model_fields["internal_token_secret"].default
    internal_token_audience: str = "congdoan-services"
    # Refuse a unit named in the path or query outside the principal's subtrees (needs the broker).
    unit_scope_check: bool = True
    # Refuse a user's tokens issued before their roles changed (read from identity.user.v1, see revocations.py).
    token_revocation: bool = True
    # Tokens are refused (503) while a feed above has not read to its topic's end or has not heard from the
    # broker for this long (fails closed; see feeds.py).
    feed_max_silence_s: float = 15.0

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

    # The built web app (`web/dist`), served at `/`; unset: the gateway serves the API only.
    web_dir: str | None = None

    # X-Forwarded-For / Forwarded is believed only from these peers (addresses or networks of the load balancers
    # in front); none by default: the TCP peer is the client.
    trusted_proxies: list[str] = []
    # Origins of browser apps served from elsewhere. None by default: the web app comes from the gateway itself.
    cors_allow_origins: list[str] = []
    # Cookies and Authorization on cross-origin requests; never together with "*" (any site would act as the user).
    cors_allow_credentials: bool = False
    gzip_min_bytes: int = 1024
    openapi_cache_s: float = 60.0
    # The merged audit view asks every service at once; one slower than this is reported missing.
    audit_service_timeout_s: float = 5.0

    @model_validator(mode="after")
    def _no_wildcard_with_credentials(self) -> "GatewaySettings":
        if self.cors_allow_credentials and "*" in self.cors_allow_origins:
            raise ValueError("GATEWAY_CORS_ALLOW_ORIGINS may not hold '*' when GATEWAY_CORS_ALLOW_CREDENTIALS is on")
        return self

    def production_problems(self) -> list[str]:
        """What production refuses besides secrets at their defaults: any origin allowed."""
        if self.environment != "production" or "*" not in self.cors_allow_origins:
            return []
        return ["GATEWAY_CORS_ALLOW_ORIGINS holds '*' (name the origins of the apps / liệt kê nguồn được phép)"]
