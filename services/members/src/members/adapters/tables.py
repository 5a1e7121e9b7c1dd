"""The member registry's tables. The tree replica tables come from the chassis."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

# Statuses of a membership that ended: the person may become a member again (members_one_person leaves them out).
ENDED = ("removed", "rejected")

metadata = MetaData()

# National member codes: never cycles, never reused; a rolled-back approval leaves a gap, not a reuse.
member_code_seq = Sequence("member_code_seq", start=1, minvalue=1, maxvalue=999_999_999, cycle=False, metadata=metadata)
transfer_letter_seq = Sequence("transfer_letter_seq", start=1, metadata=metadata)

members = Table(
    "members",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    # Codes, ID numbers and phones are compared byte by byte ("C"): equality is all anyone asks of them, and
    # the index lookups of every insert and every dedupe skip the locale's comparison routine.
    Column("member_code", Text(collation="C")),
    Column("full_name", Text, nullable=False),
    # ASCII search key in byte order ("C"): LIKE prefixes and ORDER BY use plain b-trees.
    Column("name_search", Text(collation="C"), nullable=False),
    Column("gender", Text, nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("id_kind", Text, nullable=False),
    Column("id_number", Text(collation="C"), nullable=False),
    Column("id_issued_on", Date),
    Column("id_issued_place", Text),
    Column("joined_on", Date),
    Column("position", Text),
    Column("phone", Text(collation="C")),
    Column("email", Text),
    Column("hometown", Text),
    Column("ethnicity", Text),
    Column("religion", Text),
    Column("education", Text),
    Column("occupation", Text),
    Column("employer", Text),
    Column("nationality", Text, nullable=False, server_default=text("'VN'")),
    Column("contract_months", Integer),
    Column("card_type", Text),
    # Consent to share ID number, date of birth and phone with the bank issuing the member's linked card (its date).
    Column("bank_consent_on", Date),
    Column("card_status", Text, nullable=False, server_default=text("'none'")),
    # The QR code of the member's printed or delivered card (cards.card.v1), for the public lookup's digital card.
    Column("card_verification_code", Text),
    Column("vpoint_code", Text),
    Column("has_photo", Boolean, nullable=False, server_default=text("false")),
    Column("status_reason", Text),
    Column("suspended_until", Date),
    Column("approved_at", DateTime(timezone=True)),
    Column("approved_by", Text),
    Column("import_id", Uuid),
    Column("version", Integer, nullable=False),
    Column("created_by", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Codes are issued on approval; a pending member adds no entry (migration 0005).
    Index("members_member_code", "member_code", unique=True, postgresql_where=text("member_code IS NOT NULL")),
    # One person is one member nationally, unless that membership ended.
    Index(
        "members_one_person", "id_number", unique=True, postgresql_where=text("status NOT IN ('removed', 'rejected')")
    ),
    Index("members_unit_name", "unit_id", "name_search", "member_id"),
    # Name order over the whole registry: unselective name searches walk it and stop after one page.
    Index("members_name_order", "name_search", "member_id", postgresql_include=["unit_id"]),
    # Search by ID number must also find members whose membership ended; members_one_person holds the others.
    # Partial, so that approvals and imports (never removed or rejected) add no entry to it.
    Index("members_id_number_closed", "id_number", postgresql_where=text("status IN ('removed', 'rejected')")),
    Index("members_phone", "phone", postgresql_where=text("phone IS NOT NULL")),
    # One holder per Vpoint code nationally (a removed or rejected member's code is free again).
    Index(
        "members_vpoint_code",
        "vpoint_code",
        unique=True,
        postgresql_where=text("vpoint_code IS NOT NULL AND status NOT IN ('removed', 'rejected')"),
    ),
    Index("members_pending", "unit_id", "created_at", postgresql_where=text("status = 'pending'")),
    Index("members_suspension_due", "suspended_until", postgresql_where=text("status = 'suspended'")),
    info={"scoped_by": "unit_id"},
)

# Every version of every member: who changed what, when, acting for whom, and why.
member_history = Table(
    "member_history",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("change", Text, nullable=False),
    Column("state", JSONB, nullable=False),
    Column("reason", Text),
    # What the change was about beyond the new state: changed field names, units of a transfer, end dates.
    Column("details", JSONB),
    Column("changed_by", Text),
    Column("acting_for", Text),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    info={"scoped_by": "member_id -> members.unit_id"},
)

# Chuyển sinh hoạt: the origin releases (status `released`), the destination accepts (`completed`).
member_transfers = Table(
    "member_transfers",
    metadata,
    Column("transfer_id", Uuid, primary_key=True),
    Column("member_id", Uuid, nullable=False),
    Column("from_unit_id", Uuid, nullable=False),
    Column("to_unit_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("reason", Text),
    Column("letter_number", Text, nullable=False, unique=True),
    Column("released_by", Text, nullable=False),
    Column("released_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("closed_by", Text),
    Column("closed_at", DateTime(timezone=True)),
    Column("close_reason", Text),
    Index("member_transfers_one_open", "member_id", unique=True, postgresql_where=text("status = 'released'")),
    Index("member_transfers_to", "to_unit_id", "status"),
    Index("member_transfers_from", "from_unit_id", "status"),
    info={"scoped_by": "from_unit_id"},
)

# An Excel/CSV import: the file, its validation outcome and progress. Work is claimed from here.
member_imports = Table(
    "member_imports",
    metadata,
    Column("import_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("file_sha256", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_kind", Text, nullable=False),
    Column("content", LargeBinary),
    # uploaded -> validating -> validated -> committing -> completed | rejected | failed
    Column("status", Text, nullable=False),
    Column("mode", Text),
    Column("total_rows", Integer, nullable=False, server_default=text("0")),
    Column("valid_rows", Integer, nullable=False, server_default=text("0")),
    Column("error_rows", Integer, nullable=False, server_default=text("0")),
    Column("warning_rows", Integer, nullable=False, server_default=text("0")),
    Column("rows_done", Integer, nullable=False, server_default=text("0")),
    # Staged rows up to this row number are in the registry: a resumed import starts after it.
    Column("committed_through", Integer, nullable=False, server_default=text("0")),
    # Rows of the file up to this row number are checked and staged. Only an import that checks and commits
    # chunk by chunk (mode valid_rows_only given at upload) resumes from it; it keeps `content` until the end.
    Column("staged_through", Integer, nullable=False, server_default=text("0")),
    Column("inserted_rows", Integer, nullable=False, server_default=text("0")),
    Column("rows_per_second", Float),
    Column("header_map", JSONB),
    Column("problem", JSONB),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Index("member_imports_file", "unit_id", "file_sha256", unique=True),
    Index("member_imports_work", "created_at", postgresql_where=text("status IN ('uploaded', 'committing')")),
    info={"scoped_by": "unit_id"},
)

# Staging: one row per data row of an import, normalised, with its problems. Filled with COPY.
member_import_rows = Table(
    "member_import_rows",
    metadata,
    Column("import_id", Uuid, primary_key=True),
    Column("row_number", Integer, primary_key=True),
    # Decided at staging time (time-ordered, chassis/ids.py) so a resumed import inserts the very same ids.
    Column("member_id", Uuid, nullable=False, server_default=func.gen_random_uuid()),
    Column("original", JSONB, nullable=False),
    Column("name_search", Text),
    Column("full_name", Text),
    Column("gender", Text),
    Column("date_of_birth", Date),
    Column("id_kind", Text),
    Column("id_number", Text),
    Column("id_issued_on", Date),
    Column("id_issued_place", Text),
    Column("joined_on", Date),
    Column("position", Text),
    Column("phone", Text),
    Column("email", Text),
    Column("hometown", Text),
    Column("ethnicity", Text),
    Column("religion", Text),
    Column("education", Text),
    Column("occupation", Text),
    Column("employer", Text),
    Column("nationality", Text),
    Column("card_type", Text),
    Column("vpoint_code", Text),
    Column("errors", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("warnings", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    info={"scoped_by": "import_id -> member_imports.unit_id"},
)
