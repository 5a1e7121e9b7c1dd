from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    service_name: str = "reporting"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_reporting"
    http_port: int = 8104
    # First age of each age band after the first (a request may choose its own): under 30, 30-39, ..., 60 and over.
    age_bands: list[int] = [30, 40, 50, 60]
