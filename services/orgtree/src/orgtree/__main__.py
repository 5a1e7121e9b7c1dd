from pathlib import Path

from chassis.cli import ServiceDefinition, main

from orgtree.config import OrgtreeSettings
from orgtree.entrypoints.api import create_app

DEFINITION = ServiceDefinition(
    name="orgtree",
    settings=OrgtreeSettings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    # orgtree owns the tree: it updates its tree tables in the same transaction as each change,
    # so it consumes nothing.
    handlers=None,
)

if __name__ == "__main__":
    main(DEFINITION)
