from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class MembersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBERS_", extra="ignore")

    service_name: str = "members"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_members"
    http_port: int = 8102
