from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class CardsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARDS_", extra="ignore")

    service_name: str = "cards"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_cards"
    http_port: int = 8106
    # The bank that issues linked cards (the partner code its machine client carries): VietinBank.
    linked_card_partner: str = "CTG"
    # What the card's QR code holds: this address followed by the card's verification code.
    public_verify_base_url: str = "http://127.0.0.1:8080/api/v1/public/cards/verify/"
    # What a print order costs the unit that places it, per card (seed 001: 10,000 VND a printed regular card
    # including the blank, 50,000 VND a linked card unless the unit pays salaries through the bank).
    regular_card_price_vnd: int = 10_000
    linked_card_price_vnd: int = 50_000
    # The PDF order list needs a font with Vietnamese letters (chassis/fonts.py finds one when unset).
    pdf_font_path: str | None = None
