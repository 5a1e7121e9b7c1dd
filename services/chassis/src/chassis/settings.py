"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# `local`: the one-machine runner and the tests (repository secrets are fine there). Anything else is production,
# the default, so that a deployment that forgets to say which it is gets the strict rules, not the lax ones.
Environment = Literal["local", "production"]


class KafkaSettings(BaseSettings):
    """How a process reaches the broker (`<PREFIX>_KAFKA_<FIELD>`): every service, and the gateway's feeds."""

    model_config = SettingsConfigDict(extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    kafka_ssl_cafile: str | None = None
    # On for Apache Kafka; the development broker cannot do aiokafka's InitProducerId.
    kafka_enable_idempotence: bool = False
    kafka_compression: Literal["lz4", "zstd", "gzip", "snappy"] | None = "lz4"
    kafka_replication_factor: int = 1
    kafka_session_timeout_ms: int = 10_000
    kafka_heartbeat_interval_ms: int = 3_000
    # How long the broker may hold a fetch that finds nothing. Apache Kafka answers as soon as records arrive
    # (production: 500). Low here: on the development broker a longer wait made a new unit reach identity's
    # replica later than the demo loader's next call (docs/BENCHMARKS.md, read models, on idle CPU per wait).
    kafka_fetch_max_wait_ms: int = 20


class ServiceSettings(KafkaSettings):
    """Everything a process needs to run, from the environment (`<SERVICE>_<FIELD>`).

    Defaults describe the one-machine setup; production sets broker security,
    idempotence and replication through the same fields.
    """

    model_config = SettingsConfigDict(extra="ignore")
    # Settings holding a secret: in production a process refuses to start while one is still its default here.
    secret_fields: ClassVar[tuple[str, ...]] = ("internal_token_secret",)

    service_name: str = "service"
    environment: Environment = "production"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan"
    database_pool_size: int = 10
    # PostgreSQL settings of every session of the process, over the chassis' own (`database.Database`); as JSON in
    # the environment, e.g. REPORTING_DATABASE_SETTINGS='{"max_parallel_workers_per_gather": "0"}'.
    database_settings: dict[str, str] = {}

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Operators write plain `postgresql://` URLs; every process talks asyncpg."""
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                return "postgresql+asyncpg://" + url[len(plain) :]
        return url

    consumer_max_attempts: int = 5
    # Batch mode (consumers with batch handlers: the tree replica, every view of members and cards): up to
    # this many records per poll and transaction; 1 turns batch mode off. The timeout is how long a poll waits
    # for records. 2,000 measured against 500 on the tree replica's catch-up (docs/BENCHMARKS.md).
    consumer_batch_max_records: int = 2000
    consumer_batch_timeout_ms: int = 50
    # Outbox rows a relay claims, publishes (one record batch per partition) and marks in one transaction. 4,000
    # measured against 1,000 side by side: 18,400 vs 12,000 events/s (docs/BENCHMARKS.md, read models).
    outbox_batch_size: int = 4000
    outbox_poll_interval_s: float = 0.5

    http_host: str = "127.0.0.1"
    http_port: int = 8100
    metrics_port: int = 0

    internal_token_secret: str = "change-me-internal-secret-for-local-only-0123456789"
    internal_token_audience: str = "congdoan-services"

    # Allocations between two young-generation runs of Python's cycle collector (CPython's default: 700).
    # Decoding a poll of 2,000 events keeps ~40,000 new objects alive; at 700 the collector re-walked them
    # over and over: 52 µs an event to decode, 19 µs at 50,000 (gc off: 16 µs).
    gc_young_threshold: int = Field(default=50_000, ge=700)

    log_level: str = "INFO"
    log_json: bool = True
    span_log_path: str | None = None

    # A TrueType font with Vietnamese letters for the PDFs a service prints (transfer letters, print orders and
    # card faces, reports); chassis/fonts.py finds one when unset.
    pdf_font_path: str | None = None


def production_problems(settings: BaseSettings) -> list[str]:
    """What keeps these settings from production: each secret still at the repository's default, by variable."""
    if getattr(settings, "environment", "production") != "production":
        return []
    prefix = settings.model_config.get("env_prefix", "")
    fields = type(settings).model_fields
    return [
        f"{prefix}{name.upper()} (vẫn là giá trị mặc định trong mã nguồn / still the repository's default)"
        for name in getattr(settings, "secret_fields", ())
        if getattr(settings, name) == fields[name].default
    ]


def ensure_deployable(settings: BaseSettings, more: list[str] | None = None) -> None:
    """Refuse to start a production process whose settings are not fit for it (every process calls this first)."""
    problems = [*production_problems(settings), *(more or [])]
    if problems:
        raise SystemExit(
            "Không khởi động ở môi trường production / refusing to start in production: "
            + "; ".join(problems)
            + ". Set them from the secret store (deploy/production/platform.env.example), or set "
            "<PREFIX>_ENVIRONMENT=local for the one-machine demo."
        )
