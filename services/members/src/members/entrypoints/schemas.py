"""The HTTP contract of the members service (v1): members, decisions, lifecycle, transfers, imports, photos, Vpoint
codes and the public lookup."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from chassis.errors import InvalidInput, from_validation_errors
from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError

from members.domain.model import Member
from members.domain.sensitive import masked

Mode = Literal["valid_rows_only", "all_or_nothing"]
Reason = Field(min_length=3, max_length=500, description="Lý do / reason, kept in the member's history")


class MemberFields(BaseModel):
    """Fields of §4 of the domain brief that an officer enters or corrects."""

    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(min_length=2, max_length=200)
    gender: Literal["male", "female"]
    date_of_birth: date
    id_kind: Literal["cccd", "cmnd", "passport", "work_permit"] = "cccd"
    id_number: str = Field(min_length=5, max_length=20)
    id_issued_on: date | None = None
    id_issued_place: str | None = Field(None, max_length=200)
    joined_on: date | None = None
    position: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=20)
    email: EmailStr | None = None
    hometown: str | None = Field(None, max_length=200)
    ethnicity: str | None = Field(None, max_length=50)
    religion: str | None = Field(None, max_length=50)
    education: str | None = Field(None, max_length=100)
    occupation: str | None = Field(None, max_length=200)
    employer: str | None = Field(None, max_length=300)
    nationality: str = Field("VN", min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    contract_months: int | None = Field(None, ge=1, le=600, description="Foreign workers: contract term")
    card_type: Literal["regular", "linked"] | None = None
    vpoint_code: str | None = Field(None, max_length=16)


class MemberCreate(MemberFields):
    unit_id: UUID

    def draft(self) -> Member:
        return Member(member_id=UUID(int=0), **self.model_dump())


class MemberCorrection(BaseModel):
    """Sửa thông tin: only the fields sent change; the reason goes to the history."""

    model_config = ConfigDict(extra="forbid")

    changes: dict[str, Any] = Field(description="Field name -> corrected value (fields of MemberCreate but unit_id)")
    reason: str = Reason

    def validated_changes(self) -> dict[str, Any]:
        allowed = set(MemberFields.model_fields) - {"position"}
        unknown = sorted(set(self.changes) - allowed)
        if unknown:
            raise InvalidInput(
                f"Không được sửa trường {unknown[0]} theo cách này",
                f"Field {unknown[0]} cannot be corrected this way",
                code="field-not-correctable",
                field=f"changes.{unknown[0]}",
            )
        # Validate the changed values with the same rules as on creation.
        partial = MemberFields.model_construct()
        problems: list[dict[str, Any]] = []
        for name, value in self.changes.items():
            try:
                MemberFields.__pydantic_validator__.validate_assignment(partial, name, value)
            except ValidationError as error:
                problems += [{**e, "loc": ("changes", *e["loc"])} for e in error.errors()]
        if problems:
            raise from_validation_errors(problems)
        return {name: getattr(partial, name) for name in self.changes}


class PositionChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: str | None = Field(max_length=200, description="Chức vụ công đoàn; null clears it")
    reason: str | None = Field(None, max_length=500)


class BankConsent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    given_on: date = Field(
        description="Ngày đoàn viên ký đồng ý chia sẻ số định danh, ngày sinh, số điện thoại với "
        "ngân hàng phát hành thẻ liên kết (không sau hôm nay)"
    )


class StatusReason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Reason


class OptionalReason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(None, max_length=500)


class Suspension(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Reason
    until: date = Field(description="Last day is the day before; at most 12 months from today")


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: str | None = Field(None, max_length=500, description="Required to reject")


class BulkDecision(Decision):
    unit_id: UUID = Field(description="Every pending member of this unit's subtree that matches")
    created_from: datetime | None = None
    created_to: datetime | None = None
    member_ids: list[UUID] | None = Field(None, max_length=200_000, description="Only these, when given")


class BulkOutcome(BaseModel):
    decided: int
    decision: str


class MemberOut(BaseModel):
    member_id: UUID
    unit_id: UUID
    status: str
    status_reason: str | None
    suspended_until: date | None
    member_code: str | None
    full_name: str
    gender: str
    date_of_birth: date
    id_kind: str
    id_number: str = Field(description="Masked unless the caller may read personal data in this unit")
    id_issued_on: date | None
    id_issued_place: str | None
    ethnicity: str | None
    religion: str | None
    joined_on: date | None
    position: str | None
    phone: str | None
    email: str | None
    hometown: str | None
    education: str | None
    occupation: str | None
    employer: str | None
    nationality: str
    contract_months: int | None
    card_type: str | None
    card_status: str
    vpoint_code: str | None
    has_photo: bool
    bank_consent_on: date | None = Field(
        None,
        description="Ngày đoàn viên đồng ý chia sẻ số định danh, ngày sinh, số "
        "điện thoại với ngân hàng phát hành thẻ liên kết",
    )
    version: int
    sensitive_masked: bool

    @classmethod
    def of(cls, member: Member, show_sensitive: bool) -> MemberOut:
        fields = {name: getattr(member, name) for name in cls.model_fields if hasattr(member, name)}
        return cls(**(fields if show_sensitive else masked(fields)), sensitive_masked=not show_sensitive)


class MemberSummary(BaseModel):
    member_id: UUID
    unit_id: UUID
    unit_name: str = Field(description="Tên đơn vị (the unit's name today)")
    full_name: str
    gender: str
    date_of_birth: date
    status: str
    member_code: str | None
    position: str | None = None
    card_status: str | None = None


class HistoryEntry(BaseModel):
    version: int
    change: str
    reason: str | None
    details: dict | None
    changed_by: str | None
    acting_for: str | None
    changed_at: datetime
    state: dict


class ImportOut(BaseModel):
    import_id: UUID
    unit_id: UUID
    file_name: str
    file_kind: str
    status: str
    mode: str | None
    total_rows: int
    valid_rows: int
    error_rows: int
    warning_rows: int
    rows_done: int
    inserted_rows: int
    rows_per_second: float | None
    header_map: dict | None
    problem: dict | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duplicate_upload: bool = False


class StagedRow(BaseModel):
    row_number: int
    original: list[str]
    errors: list[dict]
    warnings: list[dict]


class CommitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Mode


class PhotoProblem(BaseModel):
    file: str
    field: str
    code: str
    message_vi: str
    message_en: str


class PhotoOutcome(BaseModel):
    stored: int
    problems: list[PhotoProblem]


class PublicMember(BaseModel):
    full_name: str
    unit_name: str
    status: str
    status_vi: str
    card_status: str
    card_status_vi: str
    card_verification_code: str | None = Field(
        None,
        description="Mã xác thực của thẻ đã in hoặc đã nhận (mở thẻ điện tử /the-dien-tu/{mã}); null nếu chưa có thẻ",
    )


class RowProblem(BaseModel):
    field: str
    code: str
    message_vi: str
    message_en: str


class VpointRow(BaseModel):
    row_number: int
    member_code: str | None
    id_number: str | None
    vpoint_code: str | None
    outcome: str  # updated | unchanged | error
    problems: list[RowProblem]


class VpointOutcome(BaseModel):
    updated: int
    unchanged: int
    errors: int
    rows: list[VpointRow]


class TransferRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_unit_id: UUID
    reason: str | None = Field(None, max_length=500)


class Cancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Reason


class TransferOut(BaseModel):
    transfer_id: UUID
    member_id: UUID
    from_unit_id: UUID
    to_unit_id: UUID
    status: Literal["released", "completed", "cancelled"]
    reason: str | None
    letter_number: str
    released_by: str
    released_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    close_reason: str | None
    full_name: str | None = None
    member_code: str | None = None
