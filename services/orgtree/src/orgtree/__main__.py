import sys
from pathlib import Path

from chassis.cli import ServiceDefinition, main

from orgtree.config import OrgtreeSettings
from orgtree.entrypoints.api import create_app
from orgtree.entrypoints.consumers import handlers

DEFINITION = ServiceDefinition(
    name="orgtree",
    settings=OrgtreeSettings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    # orgtree owns the tree and updates its tree tables with each change; it consumes only where
    # members are (members.member.v1), for the rule "no dissolving a unit that still holds members".
    handlers=handlers,
)

if __name__ == "__main__":
    if sys.argv[1:2] == ["load-tree"]:
        from orgtree.entrypoints.load_tree import main as load_tree

        load_tree(sys.argv[2:])
    else:
        main(DEFINITION)
