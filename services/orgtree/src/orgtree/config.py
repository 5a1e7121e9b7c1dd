from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class OrgtreeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORGTREE_", extra="ignore")

    service_name: str = "orgtree"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_orgtree"
    http_port: int = 8101
