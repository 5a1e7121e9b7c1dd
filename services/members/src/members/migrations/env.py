from chassis.migrations import run_env

from members.adapters.tables import metadata

run_env(metadata)
