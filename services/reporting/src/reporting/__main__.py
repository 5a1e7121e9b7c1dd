from pathlib import Path

from chassis.cli import ServiceDefinition, main

from reporting.config import ReportingSettings
from reporting.entrypoints.api import create_app
from reporting.entrypoints.consumers import handlers

DEFINITION = ServiceDefinition(
    name="reporting",
    settings=ReportingSettings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    handlers=handlers,
)

if __name__ == "__main__":
    main(DEFINITION)
