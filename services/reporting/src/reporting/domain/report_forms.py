"""Every standard form of reporting, in one place (biểu mẫu báo cáo): its title, sections, columns and their
Vietnamese headings. The workbook and PDF writers draw any of them; a new form is a new definition here (and a
route that fills it with the rows a use case already answers), not new SQL or new export code."""

from __future__ import annotations

from reporting.domain.dues import AMOUNTS, REMITTED
from reporting.domain.figures import LABELS, NOT_KNOWN, NOT_KNOWN_LABEL
from reporting.domain.forms import Column, Form, Section

MOVEMENT_HEADINGS = {
    "admitted": "Kết nạp",
    "transferred_in": "Chuyển đến",
    "transferred_out": "Chuyển đi",
    "suspended": "Tạm dừng sinh hoạt",
    "resumed": "Sinh hoạt trở lại",
    "retired": "Nghỉ hưu",
    "removed": "Xóa tên",
    "left": "Lý do khác",
}
_ENTERPRISE_TYPE_LABELS = LABELS["enterprise_type"]
ENTERPRISE_TYPES = [*_ENTERPRISE_TYPE_LABELS, NOT_KNOWN]

_TARGET_GROUP = "Chỉ tiêu nhiệm kỳ"

DEVELOPMENT = Form(
    "phat-trien-doan-vien",
    "Báo cáo tình hình phát triển đoàn viên",
    (
        Section(
            "Đơn vị",
            "{row.code} {row.name}",
            (
                Column("members_at_start", "Đầu kỳ"),
                *(Column(f"movements.{kind}", heading, answer=kind) for kind, heading in MOVEMENT_HEADINGS.items()),
                Column("restructured", "Sắp xếp tổ chức"),
                Column("members_at_end", "Cuối kỳ"),
                Column("women_at_end", "Trong đó nữ (cuối kỳ)"),
                Column("women.admitted", "Kết nạp nữ"),
                *(
                    Column(
                        f"by_enterprise_type.{kind}",
                        _ENTERPRISE_TYPE_LABELS.get(kind, NOT_KNOWN_LABEL),
                        "Cuối kỳ theo loại hình doanh nghiệp",
                    )
                    for kind in ENTERPRISE_TYPES
                ),
                Column("grassroots_at_start", "Công đoàn cơ sở đầu kỳ", "Tổ chức"),
                Column("units_established", "Đơn vị thành lập mới", "Tổ chức"),
                Column("units_closed", "Đơn vị giải thể, sáp nhập", "Tổ chức"),
                Column("grassroots_at_end", "Công đoàn cơ sở cuối kỳ", "Tổ chức"),
                # The member target of the term in force on the period's last day, set by the level above: the
                # rows' targets are not summed (a unit without one would lower the whole's share).
                Column("target_members", "Chỉ tiêu đoàn viên", _TARGET_GROUP, summed=False, may_be_empty=True),
                Column("members_at_end", "Đạt (cuối kỳ)", _TARGET_GROUP, summed=False),
                Column("target_progress", "Tỷ lệ đạt", _TARGET_GROUP, ratio=("members_at_end", "target_members")),
            ),
            # The JSON's row also has every kind of women's movements, women at the start, members at the end by
            # each enterprise type present (the form shows every type), and the target's term.
            fields=("unit_id", "code", "name", "women_at_start", "women", "by_enterprise_type", "target_term"),
        ),
    ),
)

BREAKDOWN = Form(
    "so-lieu-doan-vien",
    "Số liệu đoàn viên theo {by_label}",
    (
        Section(
            "{by_label}",
            "{row.label}",
            (Column("members", "Số đoàn viên"), Column("share", "Tỷ lệ", share_of="members")),
            fields=("value", "label"),
        ),
    ),
)

_DUES_HEADINGS = {
    "units_reporting": "Đơn vị đã ghi sổ",
    "grassroots_unions": "Công đoàn cơ sở cuối tháng",
    "members_paid": "Đoàn viên đã đóng",
    "members_exempt": "Đoàn viên được miễn",
    "collected_vnd": "Số thu (đồng)",
    "norm_vnd": "Phải thu theo mức (đồng)",
    "upper_share_vnd": "Nộp cấp trên (đồng)",
    "grassroots_share_vnd": "Để lại cơ sở (đồng)",
}
assert set(_DUES_HEADINGS) == {*AMOUNTS, "grassroots_unions"}
# The upper share the collecting units owe, what they remitted of it (for periods ending in the month), what their
# upper level confirmed, and what is outstanding.
_REMITTANCE_COLUMNS = (
    Column("upper_share_vnd", "Phải nộp", "Nộp cấp trên (đồng)"),
    Column("remitted_vnd", "Đã nộp", "Nộp cấp trên (đồng)"),
    Column("confirmed_vnd", "Cấp trên đã xác nhận", "Nộp cấp trên (đồng)"),
    Column("outstanding_vnd", "Còn phải nộp", "Nộp cấp trên (đồng)"),
)
assert {column.key for column in _REMITTANCE_COLUMNS} == {"upper_share_vnd", *REMITTED, "outstanding_vnd"}


def _dues_columns(grassroots_heading: str, units_heading: str) -> tuple[Column, ...]:
    headings = {**_DUES_HEADINGS, "grassroots_unions": grassroots_heading, "units_reporting": units_heading}
    return (
        Column("units_reporting", headings["units_reporting"], "Đơn vị"),
        Column("grassroots_unions", headings["grassroots_unions"], "Đơn vị", summed=False, may_be_empty=True),
        *(
            Column(key, headings[key], "Thu đoàn phí")
            for key in ("members_paid", "members_exempt", "collected_vnd", "norm_vnd", "grassroots_share_vnd")
        ),
        *_REMITTANCE_COLUMNS,
    )


DUES = Form(
    "doan-phi",
    "Số liệu thu đoàn phí",
    (
        Section(
            "Tháng",
            "{row[month]:%m/%Y}",
            _dues_columns("Công đoàn cơ sở cuối tháng", "Đơn vị đã ghi sổ"),
            title="I. Theo tháng (toàn đơn vị)",
            fields=("month",),
        ),
        Section(
            "Đơn vị",
            "{row[code]} {row[name]}",
            _dues_columns("Công đoàn cơ sở cuối kỳ", "Lượt đơn vị ghi sổ (đơn vị × tháng)"),
            title="II. Cả kỳ, theo đơn vị trực thuộc",
            total="Cộng các đơn vị trực thuộc",
            fields=("unit_id", "code", "name"),
        ),
    ),
)

# A row of the units' report: {"label", "at_start", "at_end"} or {"label", "units"}.
_STOCK = (Column("at_start", "Đầu kỳ"), Column("at_end", "Cuối kỳ"))
UNITS = Form(
    "so-lieu-to-chuc-cong-doan",
    "Số liệu tổ chức công đoàn",
    (
        Section("Loại đơn vị", "{row[label]}", _STOCK, title="I. Đơn vị đang hoạt động theo loại"),
        Section(
            "Loại hình doanh nghiệp",
            "{row[label]}",
            _STOCK,
            title="II. Công đoàn cơ sở theo loại hình doanh nghiệp",
        ),
        Section(
            "Chỉ tiêu", "{row[label]}", (Column("units", "Số đơn vị"),), title="III. Biến động trong kỳ", total=None
        ),
        Section(
            "Số đoàn viên",
            "{row[label]}",
            (Column("units", "Số công đoàn cơ sở"), Column("share", "Tỷ lệ", share_of="units")),
            title="IV. Công đoàn cơ sở theo số đoàn viên cuối ngày {last:%d/%m/%Y}",
            fields=("lower", "label"),
        ),
    ),
)

TARGETS = Form(
    "chi-tieu-phat-trien-doan-vien",
    "Tiến độ thực hiện chỉ tiêu phát triển đoàn viên",
    (
        Section(
            "Đơn vị",
            "{row[code]} {row[name]}",
            (
                Column("target.members", "Chỉ tiêu", "Số đoàn viên", may_be_empty=True),
                Column("members_at_start", "Đầu nhiệm kỳ", "Số đoàn viên", may_be_empty=True),
                Column("members", "Đến ngày tính", "Số đoàn viên", may_be_empty=True),
                Column(
                    "members_progress",
                    "Tỷ lệ đạt",
                    "Số đoàn viên",
                    ratio=("members", "target.members"),
                    answer="members_progress",
                ),
                Column("target.admissions", "Chỉ tiêu", "Kết nạp mới", may_be_empty=True),
                Column("admitted", "Đã kết nạp", "Kết nạp mới", may_be_empty=True),
                Column(
                    "admissions_progress",
                    "Tỷ lệ đạt",
                    "Kết nạp mới",
                    ratio=("admitted", "target.admissions"),
                    answer="admissions_progress",
                ),
            ),
            total="Cộng các đơn vị trực thuộc",
            fields=("unit_id", "code", "name", "target", "counted_from", "counted_to"),
        ),
    ),
)

# Every standard form, in the order a menu offers them.
FORMS = (DEVELOPMENT, UNITS, BREAKDOWN, TARGETS, DUES)
