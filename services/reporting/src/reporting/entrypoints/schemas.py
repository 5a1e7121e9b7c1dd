"""The HTTP contract of reporting (v1): member summaries and counts, movements, figures by dimension, period
reports, dues and member-development targets."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class MemberSummaryOut(BaseModel):
    unit_id: UUID
    scope: str
    members: int
    female: int
    foreign: int
    by_status: dict[str, int]
    cards: dict[str, int] = Field(description="Among the members: card requested (waiting), printed, delivered")


class UnitTotalsOut(BaseModel):
    unit_id: UUID
    members: int = Field(description="Đoàn viên (đang sinh hoạt, tạm dừng) của đơn vị và các đơn vị trực thuộc")
    pending: int = Field(description="Chờ phê duyệt")


class PeriodOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    unit_id: UUID
    from_: date = Field(alias="from")
    to: date


class MovementsOut(PeriodOut):
    members_at_start: int = Field(description="Đoàn viên cuối ngày trước kỳ")
    members_at_end: int = Field(description="Đoàn viên cuối ngày cuối kỳ")
    admitted: int = Field(description="Kết nạp (được phê duyệt)")
    transferred_in: int = Field(description="Chuyển đến từ ngoài đơn vị")
    transferred_out: int = Field(description="Chuyển đi ra ngoài đơn vị")
    suspended: int = Field(description="Tạm dừng sinh hoạt (vẫn là đoàn viên)")
    resumed: int = Field(description="Sinh hoạt trở lại")
    retired: int = Field(description="Thôi sinh hoạt khi nghỉ hưu")
    removed: int = Field(description="Xóa tên")
    left: int = Field(description="Ra khỏi danh sách vì lý do khác")


class BreakdownRowOut(BaseModel):
    value: str | None = Field(description="Mã giá trị; null: chưa rõ")
    label: str = Field(description="Tên giá trị bằng tiếng Việt")
    members: int


class BreakdownOut(BaseModel):
    unit_id: UUID
    unit_code: str | None
    unit_name: str | None = Field(description="Tên đơn vị vào ngày báo cáo")
    by: str
    by_label: str
    as_of: date = Field(description="Cuối ngày báo cáo (giờ Việt Nam), theo cây tổ chức của ngày đó")
    age_bands: list[int] | None = Field(description="Mốc tuổi đầu của mỗi nhóm sau nhóm đầu (khi by=age_band)")
    rows: list[BreakdownRowOut]
    total: int


class PeriodRowOut(BaseModel):
    unit_id: UUID
    code: str
    name: str = Field(description="Tên đơn vị (ngày gần nhất của kỳ mà đơn vị trực thuộc)")
    members_at_start: int = Field(description="Đoàn viên cuối ngày trước kỳ")
    admitted: int = Field(description="Kết nạp")
    transferred_in: int = Field(description="Chuyển đến (từ ngoài đơn vị)")
    transferred_out: int = Field(description="Chuyển đi (ra ngoài đơn vị)")
    suspended: int = Field(description="Tạm dừng sinh hoạt")
    resumed: int = Field(description="Sinh hoạt trở lại")
    retired: int = Field(description="Nghỉ hưu")
    removed: int = Field(description="Xóa tên")
    left: int = Field(description="Ra khỏi danh sách vì lý do khác")
    restructured: int = Field(description="Thay đổi do sắp xếp tổ chức (đơn vị chuyển, sáp nhập) hoặc mở sổ")
    members_at_end: int = Field(description="Đoàn viên cuối ngày cuối kỳ")
    women_at_start: int
    women_at_end: int = Field(description="Trong đó nữ (cuối kỳ)")
    women: dict[str, int] = Field(description="Trong đó nữ, theo loại biến động")
    by_enterprise_type: dict[str, int] = Field(description="Đoàn viên cuối kỳ theo loại hình doanh nghiệp; '' chưa rõ")
    grassroots_at_start: int = Field(description="Công đoàn cơ sở đầu kỳ (cuối ngày trước kỳ)")
    grassroots_at_end: int = Field(description="Công đoàn cơ sở cuối kỳ")
    units_established: int = Field(description="Đơn vị (mọi loại) thành lập mới trong kỳ")
    units_closed: int = Field(description="Đơn vị (mọi loại) giải thể, sáp nhập trong kỳ")
    target_term: str | None = Field(None, description="Nhiệm kỳ của chỉ tiêu đang áp dụng ngày cuối kỳ")
    target_members: int | None = Field(
        None, description="Chỉ tiêu số đoàn viên của nhiệm kỳ đó (cấp trên giao); null: chưa giao"
    )


class PeriodReportOut(PeriodOut):
    restructured: bool = Field(description="Trong kỳ có sắp xếp tổ chức: biến động được tính cho đơn vị của ngày đó")
    rows: list[PeriodRowOut] = Field(description="Các đơn vị trực thuộc trong kỳ, theo mã")
    total: PeriodRowOut = Field(description="Toàn đơn vị: chuyển sinh hoạt giữa các đơn vị trực thuộc không tính")


class MonthRowOut(PeriodRowOut):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from", description="Ngày đầu của tháng (hoặc của kỳ)")
    to: date = Field(description="Ngày cuối của tháng (hoặc của kỳ)")


class DevelopmentMonthsOut(PeriodOut):
    months: list[MonthRowOut] = Field(description="Từng tháng của kỳ: số liệu toàn đơn vị (kể cả cấp dưới)")


class UnitCountsOut(BaseModel):
    by_type: dict[str, int] = Field(description="Đơn vị đang hoạt động theo loại (kể cả chính đơn vị)")
    grassroots_by_enterprise_type: dict[str, int] = Field(
        description="Công đoàn cơ sở theo loại hình doanh nghiệp; '' chưa rõ"
    )


class SizeBandOut(BaseModel):
    lower: int = Field(description="Số đoàn viên tối thiểu của nhóm; 0: chưa có đoàn viên")
    label: str
    units: int


class UnitFiguresOut(PeriodOut):
    at_start: UnitCountsOut = Field(description="Cuối ngày trước kỳ, theo cây tổ chức của ngày đó")
    at_end: UnitCountsOut = Field(description="Cuối ngày cuối kỳ")
    established: int = Field(description="Đơn vị thành lập trong kỳ")
    closed: int = Field(description="Đơn vị giải thể, sáp nhập trong kỳ")
    grassroots_by_members: list[SizeBandOut] = Field(
        description="Công đoàn cơ sở cuối kỳ theo số đoàn viên cuối kỳ (đang sinh hoạt, tạm dừng), theo cây tổ chức "
        "của ngày đó"
    )
    grassroots_without_members: int = Field(description="Công đoàn cơ sở chưa có đoàn viên (cuối kỳ)")


class DuesSumsOut(BaseModel):
    """The dues of a subtree: of a month, or of a whole period."""

    units_reporting: int = Field(description="Đơn vị đã ghi sổ thu đoàn phí (cả kỳ: lượt, đơn vị × tháng)")
    grassroots_unions: int | None = Field(
        description="Công đoàn cơ sở (đơn vị thu) cuối tháng (cuối kỳ); null: trước khi có số liệu"
    )
    members_paid: int = Field(description="Đoàn viên đã đóng")
    members_exempt: int = Field(description="Đoàn viên được miễn")
    collected_vnd: int = Field(description="Số thu (đồng)")
    norm_vnd: int = Field(description="Số phải thu theo mức quy định (đồng)")
    upper_share_vnd: int = Field(description="Phải nộp cấp trên (đồng): phần của cấp trên trong số thu")
    grassroots_share_vnd: int = Field(description="Để lại công đoàn cơ sở (đồng)")
    remitted_vnd: int = Field(
        description="Đã nộp cấp trên (đồng): các đơn vị thu đoàn phí nộp cấp trên trực tiếp, cho kỳ nộp kết thúc trong"
        " tháng (cấp trên chuyển tiếp lên cấp cao hơn không tính lại)"
    )
    confirmed_vnd: int = Field(description="Trong đó cấp trên đã xác nhận đã nhận (đồng)")
    outstanding_vnd: int = Field(description="Còn phải nộp cấp trên (đồng); âm: nộp trước")


class DuesMonthOut(DuesSumsOut):
    month: str = Field(description="YYYY-MM")


class DuesUnitOut(DuesSumsOut):
    """The whole period, for one unit's subtree."""

    unit_id: UUID
    code: str
    name: str


class DuesOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    unit_id: UUID
    from_: str = Field(alias="from")
    to: str
    months: list[DuesMonthOut] = Field(description="Mỗi tháng của kỳ, toàn đơn vị (cả cấp dưới)")
    rows: list[DuesUnitOut] = Field(description="Cả kỳ, mỗi đơn vị trực thuộc (trong cây tổ chức của kỳ)")
    total: DuesUnitOut = Field(description="Cả kỳ, toàn đơn vị")


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_on: date = Field(description="Ngày bắt đầu nhiệm kỳ")
    ends_on: date = Field(description="Ngày kết thúc nhiệm kỳ")
    members: int = Field(ge=0, le=100_000_000, description="Chỉ tiêu số đoàn viên cuối nhiệm kỳ")
    admissions: int = Field(ge=0, le=100_000_000, description="Chỉ tiêu kết nạp đoàn viên mới trong nhiệm kỳ")


class TargetOut(TargetIn):
    unit_id: UUID
    term: str
    set_by: str


class TargetProgressOut(BaseModel):
    unit_id: UUID
    code: str
    name: str
    target: TargetIn | None = Field(description="Chỉ tiêu của nhiệm kỳ; null: chưa giao")
    counted_from: date | None = Field(description="Tính từ ngày (đầu nhiệm kỳ, hoặc ngày bắt đầu có số liệu)")
    counted_to: date | None = Field(description="Đến ngày (hôm nay, hoặc cuối nhiệm kỳ)")
    members_at_start: int
    members: int = Field(description="Đoàn viên đến ngày tính")
    admitted: int = Field(description="Đã kết nạp trong nhiệm kỳ")
    members_progress: float | None = Field(description="Đoàn viên so với chỉ tiêu (tỷ lệ)")
    admissions_progress: float | None = Field(description="Kết nạp so với chỉ tiêu (tỷ lệ)")


class FormColumnOut(BaseModel):
    key: str = Field(description="Đường dẫn tới số liệu trong câu trả lời JSON của báo cáo, ví dụ women.admitted")
    heading: str = Field(description="Tiêu đề cột")
    group: str | None = Field(description="Tiêu đề nhóm phía trên các cột liền nhau cùng nhóm")
    summed: bool = Field(description="Dòng tổng cộng cộng cột này")
    share_of: str | None = Field(description="Tỷ lệ: cột này của dòng trên cột `share_of` của dòng tổng")
    ratio: list[str] | None = Field(description="Tỷ lệ: [tử số, mẫu số] là hai cột của cùng dòng")


class FormSectionOut(BaseModel):
    title: str | None
    label_heading: str = Field(description="Tiêu đề cột nhãn của dòng (đơn vị, tháng, tiêu chí…)")
    columns: list[FormColumnOut]
    total: str | None = Field(description="Nhãn dòng tổng; null: mục không có dòng tổng")


class FormParameterOut(BaseModel):
    name: str
    required: bool


class FormAnswerOut(BaseModel):
    format: Literal["json", "xlsx", "pdf"]
    url: str = Field(description="Đường dẫn qua cổng API, thêm các tham số")
    parameters: list[FormParameterOut]


class ReportFormOut(BaseModel):
    id: str = Field(description="Mã biểu mẫu (tên tệp tải về bắt đầu bằng mã này)")
    title: str = Field(description="Tên biểu mẫu")
    sections: list[FormSectionOut]
    answers: list[FormAnswerOut] = Field(description="Câu trả lời JSON và các tệp tải về của biểu mẫu")
