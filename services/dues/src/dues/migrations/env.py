from chassis.migrations import run_env

from dues.adapters.tables import metadata

run_env(metadata)
