from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class CardsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARDS_", extra="ignore")

    service_name: str = "cards"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_cards"
    http_port: int = 8106
    # What the card's QR code holds: this address followed by the card's verification code.
    public_verify_base_url: str = "http://127.0.0.1:8080/api/v1/public/cards/verify/"
    # The prices of the first fee schedule, read once by migration 0016 (seed 001: 10,000 VND a printed regular card
    # including its 3,000 VND blank, 50,000 VND a linked card unless the unit pays salaries through the bank). Orders
    # take their prices from the schedule in force on their day (`/api/v1/cards/fees/schedules`), not from here.
    regular_card_price_vnd: int = 10_000
    linked_card_price_vnd: int = 50_000
    # Signed webhooks to partners (cards/application/webhooks.py): a sender beside each API process.
    webhooks_enabled: bool = True
    webhook_timeout_s: float = 10.0
    webhook_attempts: int = 6  # then the step is parked
    webhook_backoff_s: float = 1.0  # doubling between attempts: 1, 2, 4, 8, 16 s
    webhook_max_backoff_s: float = 60.0
    webhook_poll_s: float = 1.0  # how soon a new step is sent when the sender is idle
    webhook_batch: int = 100  # steps of one partner per transaction
    # Per-partner Kafka topics (cards/application/partner_topics.py), published beside each API process.
    partner_topics_enabled: bool = True
    partner_topic_batch: int = 500
    # Card faces of large orders, made in the background beside each API process (cards/application/card_faces.py).
    faces_worker_enabled: bool = True
    faces_part_size: int = 1000  # cards per PDF part: what the worker holds in memory at once
