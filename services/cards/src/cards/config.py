from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class CardsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARDS_", extra="ignore")

    service_name: str = "cards"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_cards"
    http_port: int = 8106
    # What the card's QR code holds: this address followed by the card's verification code.
    # The bank that issues linked cards (the partner code its machine client carries): VietinBank.
    linked_card_partner: str = "CTG"
    public_verify_base_url: str = "http://127.0.0.1:8080/api/v1/public/cards/verify/"
