from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class DuesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DUES_", extra="ignore")

    service_name: str = "dues"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_dues"
    http_port: int = 8105
