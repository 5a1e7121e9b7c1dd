"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Everything a process needs to run, from the environment (`<SERVICE>_<FIELD>`).

    Defaults describe the one-machine setup; production sets broker security,
    idempotence and replication through the same fields.
    """

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan"
    database_pool_size: int = 10

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Operators write plain `postgresql://` URLs; every process talks asyncpg."""
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                return "postgresql+asyncpg://" + url[len(plain):]
        return url

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
    # Low on purpose: the development broker waits the full fetch wait even when data is there.
    kafka_fetch_max_wait_ms: int = 20

    consumer_max_attempts: int = 5
    # Batch mode (consumers with batch handlers, e.g. the tree replica): up to this many records per
    # poll and transaction; 1 turns batch mode off. The timeout is how long a poll waits for records.
    consumer_batch_max_records: int = 2000
    consumer_batch_timeout_ms: int = 50
    outbox_batch_size: int = 1000
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
