"""cards's own tables (none yet beyond the chassis tables)."""

from sqlalchemy import MetaData

metadata = MetaData()
