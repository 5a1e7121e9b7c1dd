from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class CardsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARDS_", extra="ignore")

    service_name: str = "cards"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_cards"
    http_port: int = 8106
