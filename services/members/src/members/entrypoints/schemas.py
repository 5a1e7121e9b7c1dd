"""The HTTP contract of the members service (v1)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from members.domain.model import Member


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: UUID
    full_name: str = Field(min_length=2, max_length=200)
    gender: Literal["male", "female"]
    date_of_birth: date
    id_kind: Literal["cccd", "cmnd", "passport", "work_permit"] = "cccd"
    id_number: str = Field(min_length=5, max_length=20)
    joined_on: date | None = None
    position: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=20)
    email: EmailStr | None = None
    hometown: str | None = Field(None, max_length=200)
    ethnicity: str | None = Field(None, max_length=50)
    religion: str | None = Field(None, max_length=50)
    occupation: str | None = Field(None, max_length=200)
    nationality: str = Field("VN", min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    card_type: Literal["regular", "linked"] | None = None
    vpoint_code: str | None = Field(None, max_length=16)

    def draft(self) -> Member:
        return Member(member_id=UUID(int=0), **self.model_dump())


def mask(value: str | None, keep: int = 3) -> str | None:
    if value is None:
        return None
    return "*" * max(len(value) - keep, 0) + value[-keep:]


class MemberOut(BaseModel):
    member_id: UUID
    unit_id: UUID
    status: str
    member_code: str | None
    full_name: str
    gender: str
    date_of_birth: date
    id_kind: str
    id_number: str = Field(description="Masked unless the caller may read personal data in this unit")
    ethnicity: str | None
    religion: str | None
    joined_on: date | None
    position: str | None
    phone: str | None
    nationality: str
    card_type: str | None
    version: int
    sensitive_masked: bool

    @classmethod
    def of(cls, member: Member, show_sensitive: bool) -> MemberOut:
        return cls(
            member_id=member.member_id, unit_id=member.unit_id, status=member.status,
            member_code=member.member_code, full_name=member.full_name, gender=member.gender,
            date_of_birth=member.date_of_birth, id_kind=member.id_kind,
            id_number=member.id_number if show_sensitive else mask(member.id_number),
            ethnicity=member.ethnicity if show_sensitive else None,
            religion=member.religion if show_sensitive else None,
            joined_on=member.joined_on, position=member.position, phone=member.phone,
            nationality=member.nationality, card_type=member.card_type, version=member.version,
            sensitive_masked=not show_sensitive,
        )


class MemberSummary(BaseModel):
    member_id: UUID
    unit_id: UUID
    full_name: str
    gender: str
    date_of_birth: date
    status: str
    member_code: str | None
