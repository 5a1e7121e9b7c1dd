from pathlib import Path

from chassis.cli import ServiceDefinition, main

from members.config import MembersSettings
from members.entrypoints.api import create_app
from members.entrypoints.consumers import handlers

DEFINITION = ServiceDefinition(
    name="members",
    settings=MembersSettings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    handlers=handlers,
)

if __name__ == "__main__":
    main(DEFINITION)
