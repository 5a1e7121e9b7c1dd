"""Request and response bodies of the dues API."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dues.domain.model import outcome, policy_start

# An exemption reason's code; which codes a line may name is the month's policy's list (`GET /policies`).
EXEMPTION_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
Outcome = Literal["paid", "part_paid", "exempt", "unpaid"]
# Years 1000-9999 only: `date` holds no year 0 (month=0000-01 was a 500).
MONTH_PATTERN = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"


class PaymentLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: UUID
    salary_vnd: int | None = Field(None, ge=0, le=10_000_000_000, description="Tiền lương làm căn cứ đóng")
    paid_vnd: int | None = Field(
        None, ge=0, le=1_000_000_000, description="Số đã đóng; mặc định đúng mức quy định (phần vượt ở lại cơ sở)"
    )
    exemption: str | None = Field(
        None,
        pattern=EXEMPTION_PATTERN,
        description="Lý do miễn đóng trong tháng: một mã trong danh sách của quy định áp dụng cho tháng",
    )


class MonthRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: UUID = Field(description="Công đoàn cơ sở thu đoàn phí")
    month: str = Field(pattern=MONTH_PATTERN, description="Tháng, dạng YYYY-MM")
    lines: list[PaymentLineIn] = Field(min_length=1, max_length=20_000)
    corrects_id: UUID | None = Field(None, description="Bản ghi cùng tháng được thay thế (khi sửa)")
    above_norm_decision: str | None = Field(
        None,
        min_length=3,
        max_length=200,
        description="Quyết định của công đoàn cơ sở cho phép đóng cao hơn mức quy định (số, ngày)",
    )

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
    members_part_paid: int = Field(0, description="Đoàn viên đóng thiếu (trong số members_paid)")
    members_unpaid: int = Field(0, description="Đoàn viên chưa đóng (kể cả đoàn viên không có trong danh sách gửi)")
    owed_vnd: int = Field(0, description="Số còn nợ của tháng: mức quy định chưa đóng")
    above_norm_decision: str | None = Field(None, description="Quyết định cho phép đóng cao hơn mức quy định")
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
    exemption: str | None
    outcome: Outcome = Field("paid", description="Đóng đủ / đóng thiếu / được miễn / chưa đóng")

    @classmethod
    def of(cls, line) -> LineOut:
        """A line of a recorded month (with the member's name and code), and how it ends."""
        return cls(
            member_id=line.member_id,
            member_code=line.member_code,
            full_name=line.full_name,
            salary_vnd=line.salary_vnd,
            norm_vnd=line.norm_vnd,
            paid_vnd=line.paid_vnd,
            upper_share_vnd=line.upper_share_vnd,
            exemption=line.exemption,
            outcome=outcome(line.paid_vnd, line.norm_vnd, line.exemption),
        )


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
    members_part_paid: int = 0
    members_unpaid: int = 0
    owed_vnd: int = Field(0, description="Số còn nợ của các tháng đã ghi nhận")


class ExemptionReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=EXEMPTION_PATTERN, description="Mã lý do, ví dụ no_income")
    name: str = Field(min_length=3, max_length=100, description="Tên lý do (tiếng Việt), như hiển thị và in ra")


class ExemptionReasonOut(BaseModel):
    code: str
    name: str


def codes_once(reasons: list[ExemptionReasonIn] | None) -> list[ExemptionReasonIn] | None:
    if reasons is not None and len({reason.code for reason in reasons}) != len(reasons):
        raise ValueError("each exemption reason may appear once")
    return reasons


class ExemptionReasonsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exemption_reasons: list[ExemptionReasonIn] = Field(
        min_length=1,
        max_length=30,
        description="Danh sách lý do được miễn đóng của quy định (luôn có 'suspended'); bỏ lý do chỉ khi quy định "
        "chưa áp dụng",
    )

    @field_validator("exemption_reasons")
    @classmethod
    def _codes_once(cls, reasons: list[ExemptionReasonIn] | None) -> list[ExemptionReasonIn] | None:
        return codes_once(reasons)


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_from: date = Field(description="Ngày đầu tháng bắt đầu áp dụng")
    rate_permille: int = Field(ge=0, le=100, description="Tỷ lệ trên tiền lương, phần nghìn (5 = 0,5 %)")
    base_salary_vnd: int = Field(gt=0, le=100_000_000, description="Lương cơ sở")
    cap_percent_of_base: int = Field(ge=0, le=100, description="Mức đóng tối đa, % lương cơ sở")
    grassroots_share_percent: int = Field(ge=0, le=100, description="Phần để lại công đoàn cơ sở, %")
    decision: str = Field(min_length=3, max_length=200, description="Văn bản quy định")
    exemption_reasons: list[ExemptionReasonIn] | None = Field(
        None,
        min_length=1,
        max_length=30,
        description="Các lý do được miễn đóng; bỏ trống: giữ danh sách của quy định trước (luôn có 'suspended')",
    )
    upper_level_keeps_percent: int = Field(
        0, ge=0, le=100, description="Phần cấp trên cơ sở giữ lại của số được nộp lên, %; phần còn lại nộp tiếp lên"
    )

    @field_validator("exemption_reasons")
    @classmethod
    def _codes_once(cls, reasons: list[ExemptionReasonIn] | None) -> list[ExemptionReasonIn] | None:
        return codes_once(reasons)

    @field_validator("effective_from")
    @classmethod
    def _first_of_month(cls, day: date) -> date:
        return policy_start(day)


class PolicyOut(BaseModel):
    effective_from: date
    rate_permille: int
    base_salary_vnd: int
    cap_percent_of_base: int
    grassroots_share_percent: int
    decision: str
    created_by: str
    created_at: datetime
    exemption_reasons: list[ExemptionReasonOut] = Field(description="Các lý do được miễn đóng theo quy định này")
    upper_level_keeps_percent: int = Field(description="Phần cấp trên cơ sở giữ lại, %")

    @classmethod
    def of(cls, policy) -> PolicyOut:
        return cls(**asdict(policy))


class ArrearsSummary(BaseModel):
    unit_id: UUID
    members_owing: int = Field(description="Đoàn viên đang nợ đoàn phí (hiện thuộc đơn vị và cấp dưới)")
    months_owed: int = Field(description="Số tháng nợ, cộng của mọi đoàn viên")
    owed_vnd: int = Field(description="Số tiền nợ")


class MemberArrearsOut(BaseModel):
    member_id: UUID
    member_code: str | None
    full_name: str
    unit_id: UUID = Field(description="Đơn vị hiện tại của đoàn viên")
    months_owed: int
    owed_vnd: int
    first_month: date
    last_month: date


class ArrearsMonthOut(BaseModel):
    month: date
    collection_id: UUID
    recorded_by_unit_id: UUID = Field(description="Công đoàn cơ sở đã ghi nhận tháng (có thể là đơn vị cũ)")
    salary_vnd: int | None
    norm_vnd: int
    paid_vnd: int
    owed_vnd: int


class MemberArrearsDetail(BaseModel):
    member_id: UUID
    member_code: str | None
    full_name: str
    unit_id: UUID
    months_owed: int
    owed_vnd: int
    months: list[ArrearsMonthOut]


class RemittanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: UUID = Field(
        description="Đơn vị nộp lên cấp trên trực tiếp của mình (chính đơn vị của người ghi): công đoàn cơ sở hoặc "
        "một cấp trên cơ sở"
    )
    month_from: str = Field(pattern=MONTH_PATTERN, description="Tháng đầu của kỳ, YYYY-MM")
    month_to: str = Field(pattern=MONTH_PATTERN, description="Tháng cuối của kỳ, YYYY-MM")
    transferred_on: date = Field(description="Ngày chuyển tiền")
    amount_vnd: int = Field(gt=0, le=100_000_000_000, description="Số tiền đã chuyển")
    reference: str = Field(min_length=3, max_length=100, description="Số chứng từ / mã giao dịch")


class RemittanceConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    received_on: date = Field(description="Ngày cấp trên nhận được tiền")


class RemittanceOut(BaseModel):
    remittance_id: UUID
    unit_id: UUID
    month_from: date
    month_to: date
    transferred_on: date
    amount_vnd: int
    reference: str
    recorded_by: str
    recorded_at: datetime
    received_on: date | None
    confirmed_by: str | None
    confirmed_at: datetime | None
    upper_unit_id: UUID | None = Field(None, description="Cấp trên nhận khoản nộp (cấp trên trực tiếp khi ghi)")


class ReconciliationLine(BaseModel):
    unit_id: UUID
    code: str
    name: str
    months_recorded: int = Field(description="Số tháng đã ghi nhận của các công đoàn cơ sở")
    collected_vnd: int
    due_vnd: int = Field(
        description="Phải nộp cấp trên: phần nộp cấp trên của các tháng đã ghi nhận (cấp trên cơ sở: phần nhận từ "
        "cấp dưới trừ phần được giữ lại)"
    )
    remitted_vnd: int = Field(description="Chính đơn vị này đã nộp lên cấp trên của nó")
    confirmed_vnd: int = Field(description="Cấp trên đã xác nhận nhận")
    outstanding_vnd: int = Field(description="Còn phải nộp (âm: nộp thừa)")


class Reconciliation(BaseModel):
    unit_id: UUID
    month_from: date
    month_to: date
    lines: list[ReconciliationLine]
    to_upper_level: ReconciliationLine | None = Field(
        None,
        description="Chính đơn vị này với cấp trên của nó: phải nộp, đã nộp, còn phải nộp "
        "(không có với Tổng Liên đoàn)",
    )
    due_vnd: int
    remitted_vnd: int
    confirmed_vnd: int
    outstanding_vnd: int


class PayrollRowOut(BaseModel):
    row: int = Field(description="Số dòng trong tệp")
    member_code: str
    salary_vnd: int | None
    norm_vnd: int = Field(description="Mức đóng theo quy định của tháng (tỷ lệ, mức trần)")
    member_id: UUID | None
    full_name: str | None
    exemption: str | None
    problem: Literal["member-not-in-unit", "member-not-paying", "duplicate-member", "salary-invalid"] | None
    message_vi: str | None
    message_en: str | None


class LeftOutMember(BaseModel):
    member_id: UUID
    member_code: str | None
    full_name: str


class PayrollPreview(BaseModel):
    unit_id: UUID
    month: date
    policy_from: date
    rows: list[PayrollRowOut]
    rows_with_problems: int
    left_out: list[LeftOutMember] = Field(
        description="Đoàn viên của đơn vị không có trong danh sách (sẽ ghi chưa đóng)"
    )
    norm_vnd: int = Field(description="Tổng mức đóng của các dòng hợp lệ")
    lines: list[PaymentLineIn] = Field(description="Các dòng hợp lệ, gửi kèm POST /months (có thể sửa trước)")
