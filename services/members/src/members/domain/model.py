"""The member record and its lifecycle. Plain Python: no framework, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from uuid import UUID

from chassis.errors import FieldError, InvalidInput
from contracts.events.members_member_v1 import MemberSnapshot

from members.domain.identity_numbers import check_cccd, check_cmnd

MIN_AGE, MAX_AGE = 15, 100
# Since 1/7/2025 foreign workers may join with a contract of 12 months or more.
FOREIGN_MIN_CONTRACT = 12
PHONE_PATTERN = re.compile(r"^0(3|5|7|8|9)\d{8}$")


def normalise_phone(raw: str) -> str:
    digits = re.sub(r"[^\d+]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


@dataclass
class Member:
    member_id: UUID
    unit_id: UUID
    full_name: str
    gender: str
    date_of_birth: date
    id_kind: str
    id_number: str
    status: str = "pending"
    member_code: str | None = None
    id_issued_on: date | None = None
    id_issued_place: str | None = None
    joined_on: date | None = None
    position: str | None = None
    phone: str | None = None
    email: str | None = None
    hometown: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    education: str | None = None
    occupation: str | None = None
    employer: str | None = None
    nationality: str = "VN"
    contract_months: int | None = None
    card_type: str | None = None
    card_status: str = "none"
    vpoint_code: str | None = None
    has_photo: bool = False
    status_reason: str | None = None
    suspended_until: date | None = None
    # The day the member consented to share ID number, date of birth and phone with the bank issuing their linked card.
    bank_consent_on: date | None = None
    version: int = 1
    extra: dict = field(default_factory=dict)

    @property
    def is_foreign(self) -> bool:
        return self.nationality != "VN"

    def snapshot(self) -> MemberSnapshot:
        return MemberSnapshot(
            member_id=self.member_id,
            unit_id=self.unit_id,
            status=self.status,  # type: ignore[arg-type]
            full_name=self.full_name,
            gender=self.gender,
            date_of_birth=self.date_of_birth,  # type: ignore[arg-type]
            member_code=self.member_code,
            joined_on=self.joined_on,
            position=self.position,
            card_type=self.card_type,
            is_foreign=self.is_foreign,
            has_photo=self.has_photo,  # type: ignore[arg-type]
            nationality=self.nationality,
            ethnicity=self.ethnicity,
            religion=self.religion,
            education=self.education,
            has_phone=bool(self.phone),
            has_id_number=bool(self.id_number),
            bank_consent_on=self.bank_consent_on,
            version=self.version,
        )

    def changed(self, **changes: object) -> Member:
        return replace(self, version=self.version + 1, **changes)


def validate_new_member(member: Member, today: date) -> None:
    """Every rule a record must meet before it is stored; all problems are reported at once."""
    errors = member_problems(member, today)
    if errors:
        first = errors[0]
        raise InvalidInput(
            f"Hồ sơ đoàn viên không hợp lệ: {first.message_vi}",
            f"The member record is invalid: {first.message_en}",
            field=first.field,
            errors=errors,
        )


def member_problems(member: Member, today: date) -> list[FieldError]:
    """The problems of a record, for the API (raised together) and the import (one report row each)."""
    errors: list[FieldError] = []
    age = (today - member.date_of_birth).days // 365
    if not MIN_AGE <= age <= MAX_AGE:
        errors.append(
            FieldError(
                "date_of_birth",
                "implausible-age",
                f"Tuổi {age} không hợp lệ (phải từ {MIN_AGE} đến {MAX_AGE})",
                f"Age {age} is not plausible (must be {MIN_AGE}-{MAX_AGE})",
            )
        )
    if member.id_kind == "cccd":
        errors += check_cccd(member.id_number, member.gender, member.date_of_birth)
    elif member.id_kind == "cmnd":
        errors += check_cmnd(member.id_number)
    elif member.id_kind in ("passport", "work_permit"):
        if not member.is_foreign:
            errors.append(
                FieldError(
                    "id_kind",
                    "foreign-id-for-citizen",
                    "Hộ chiếu/giấy phép lao động chỉ dùng cho người nước ngoài",
                    "Passport or work permit numbers are for foreign workers",
                )
            )
    if member.phone and not PHONE_PATTERN.match(member.phone):
        errors.append(
            FieldError(
                "phone", "phone-format", "Số điện thoại Việt Nam không hợp lệ", "Not a valid Vietnamese phone number"
            )
        )
    if member.joined_on and member.joined_on > today:
        errors.append(
            FieldError(
                "joined_on",
                "future-date",
                "Ngày vào công đoàn không được ở tương lai",
                "The date of joining cannot be in the future",
            )
        )
    if member.is_foreign and member.contract_months is not None and member.contract_months < FOREIGN_MIN_CONTRACT:
        errors.append(
            FieldError(
                "contract_months",
                "contract-too-short",
                f"Người lao động nước ngoài phải có hợp đồng từ {FOREIGN_MIN_CONTRACT} tháng trở lên",
                f"Foreign workers need a contract of {FOREIGN_MIN_CONTRACT} months or more",
            )
        )
    if member.vpoint_code and not 5 <= len(member.vpoint_code) <= 16:
        errors.append(
            FieldError(
                "vpoint_code",
                "vpoint-length",
                "Mã Vpoint phải dài từ 5 đến 16 ký tự",
                "A Vpoint code is 5 to 16 characters",
            )
        )
    return errors
