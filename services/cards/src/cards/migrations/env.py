from chassis.migrations import run_env

from cards.adapters.tables import metadata

run_env(metadata)
