from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class MembersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBERS_", extra="ignore")

    service_name: str = "members"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_members"
    http_port: int = 8102

    # Imports (Excel/CSV): limits, which columns a row must fill, rows per committed chunk.
    import_max_bytes: int = 64 * 1024 * 1024
    import_max_rows: int = 200_000
    import_required_fields: tuple[str, ...] = ("full_name", "gender", "date_of_birth", "id_number")
    import_chunk_rows: int = 50_000
    # Chunks stored at once (each its own transaction) when an import is committed chunk by chunk as it is checked.
    import_parallel_chunks: int = 2
    # The background worker (imports, suspensions ending) wakes on NOTIFY or after this many seconds.
    worker_poll_interval_s: float = 30.0
    worker_enabled: bool = True
    # Member photos (3x4 JPEG) on the filesystem; see adapters/photo_store.py.
    photo_dir: str = ".data/members/photos"
