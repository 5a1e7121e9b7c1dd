from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    service_name: str = "reporting"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_reporting"
    http_port: int = 8104
    # No parallel workers: a report reads a few thousand rows, and starting workers on a busy machine made a
    # province's stocks statement 70-480 ms instead of 14-30 ms (docs/BENCHMARKS.md, issue 13). Writes never run in
    # parallel, so the consumer's sessions are unchanged by it.
    database_settings: dict[str, str] = {"max_parallel_workers_per_gather": "0"}
    # First age of each age band after the first (a request may choose its own): under 30, 30-39, ..., 60 and over.
    age_bands: list[int] = [30, 40, 50, 60]
