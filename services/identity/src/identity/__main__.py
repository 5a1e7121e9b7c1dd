from pathlib import Path

from chassis.cli import ServiceDefinition, main

from identity.config import IdentitySettings
from identity.entrypoints.api import create_app
from identity.entrypoints.consumers import handlers

DEFINITION = ServiceDefinition(
    name="identity",
    settings=IdentitySettings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    handlers=handlers,
)

if __name__ == "__main__":
    main(DEFINITION)
