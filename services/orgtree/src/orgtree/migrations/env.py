from chassis.migrations import run_env

from orgtree.adapters.tables import metadata

run_env(metadata)
