from pathlib import Path

from chassis.cli import ServiceDefinition, main

from dues.config import DuesSettings
from dues.entrypoints.api import create_app
from dues.entrypoints.consumers import handlers

DEFINITION = ServiceDefinition(
    name="dues",
    settings=DuesSettings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    handlers=handlers,
)

if __name__ == "__main__":
    main(DEFINITION)
