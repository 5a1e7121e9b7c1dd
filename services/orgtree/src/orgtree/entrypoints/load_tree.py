"""`python -m orgtree load-tree --size small|national [--seed N] [--era 2024|2025]`: generated demo tree.

Loads into the database of `ORGTREE_DATABASE_URL` (migrated first) below the national centre.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from chassis import migrations

from orgtree.adapters.tree_loader import TreeNotLoadable, load_tree
from orgtree.config import OrgtreeSettings
from orgtree.generator import SIZES, generate_tree


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m orgtree load-tree")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--era",
        choices=("2024", "2025"),
        default="2025",
        help="2024: the 63 provinces with district federations; 2025: the 34 provinces",
    )
    parser.add_argument("--effective-from", type=date.fromisoformat)
    parser.add_argument("--code-prefix", default="", help="prepended to every generated unit code")
    args = parser.parse_args(argv)
    settings = OrgtreeSettings()
    migrations.upgrade(settings.database_url, Path(__file__).resolve().parents[1] / "migrations")
    tree = generate_tree(args.seed, args.size, args.era, args.effective_from, args.code_prefix)
    try:
        report = asyncio.run(load_tree(settings.database_url, tree))
    except TreeNotLoadable as refused:
        sys.exit(f"orgtree: nothing loaded: {refused} (use --code-prefix to load another tree beside it)")
    print(f"orgtree: loaded {report.units} units ({report.closure_rows} closure rows) in {report.total_seconds:.1f} s")
