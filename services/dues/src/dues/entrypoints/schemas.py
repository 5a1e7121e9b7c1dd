"""Request and response bodies of the dues API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

Exemption = Literal["no_income", "social_insurance_benefit", "suspended"]
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class PaymentLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: UUID
    salary_vnd: int | None = Field(None, ge=0, le=10_000_000_000, description="Tiền lương làm căn cứ đóng")
    paid_vnd: int | None = Field(None, ge=0, le=1_000_000_000,
                                 description="Số đã đóng; mặc định đúng mức quy định (phần vượt ở lại cơ sở)")
    exemption: Exemption | None = Field(None, description="Lý do miễn đóng trong tháng")


class MonthRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: UUID = Field(description="Công đoàn cơ sở thu đoàn phí")
    month: str = Field(pattern=MONTH_PATTERN, description="Tháng, dạng YYYY-MM")
    lines: list[PaymentLineIn] = Field(min_length=1, max_length=20_000)
    corrects_id: UUID | None = Field(None, description="Bản ghi cùng tháng được thay thế (khi sửa)")

    @field_validator("lines")
    @classmethod
    def _one_line_per_member(cls, lines: list[PaymentLineIn]) -> list[PaymentLineIn]:
        if len({line.member_id for line in lines}) != len(lines):
            raise ValueError("each member may appear once")
        return lines


class MonthOut(BaseModel):
    collection_id: UUID
    unit_id: UUID
    month: date
    status: Literal["recorded", "superseded"]
    policy_from: date
    members_paid: int
    members_exempt: int
    collected_vnd: int
    norm_vnd: int
    upper_share_vnd: int = Field(description="Nộp cấp trên")
    grassroots_share_vnd: int = Field(description="Để lại công đoàn cơ sở")
    corrects_id: UUID | None
    recorded_by: str
    recorded_at: datetime
    superseded_at: datetime | None


class LineOut(BaseModel):
    member_id: UUID
    member_code: str | None
    full_name: str
    salary_vnd: int | None
    norm_vnd: int
    paid_vnd: int
    upper_share_vnd: int
    exemption: Exemption | None


class MonthDetail(MonthOut):
    lines: list[LineOut]


class MonthSummary(BaseModel):
    unit_id: UUID
    month: date
    units_collecting: int = Field(description="Công đoàn cơ sở trong đơn vị được thu đoàn phí")
    units_reported: int = Field(description="... đã ghi nhận tháng này")
    members_paid: int
    members_exempt: int
    collected_vnd: int
    norm_vnd: int
    upper_share_vnd: int
    grassroots_share_vnd: int


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_from: date = Field(description="Ngày đầu tháng bắt đầu áp dụng")
    rate_permille: int = Field(ge=0, le=100, description="Tỷ lệ trên tiền lương, phần nghìn (5 = 0,5 %)")
    base_salary_vnd: int = Field(gt=0, le=100_000_000, description="Lương cơ sở")
    cap_percent_of_base: int = Field(ge=0, le=100, description="Mức đóng tối đa, % lương cơ sở")
    grassroots_share_percent: int = Field(ge=0, le=100, description="Phần để lại công đoàn cơ sở, %")
    decision: str = Field(min_length=3, max_length=200, description="Văn bản quy định")

    @field_validator("effective_from")
    @classmethod
    def _first_of_month(cls, day: date) -> date:
        if day.day != 1:
            raise ValueError("a policy starts on the first day of a month")
        return day


class PolicyOut(BaseModel):
    effective_from: date
    rate_permille: int
    base_salary_vnd: int
    cap_percent_of_base: int
    grassroots_share_percent: int
    decision: str
    created_by: str
    created_at: datetime
