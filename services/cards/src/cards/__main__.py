from pathlib import Path

from chassis.cli import ServiceDefinition, main

from cards.config import CardsSettings
from cards.entrypoints.api import create_app
from cards.entrypoints.consumers import handlers

DEFINITION = ServiceDefinition(
    name="cards",
    settings=CardsSettings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    handlers=handlers,
)

if __name__ == "__main__":
    main(DEFINITION)
