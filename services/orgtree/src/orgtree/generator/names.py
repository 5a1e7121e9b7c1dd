"""Vietnamese vocabulary for generated unit and employer names. Invented names, real patterns."""

from __future__ import annotations

# Central sector unions (Công đoàn ngành trung ương) and corporation unions directly under the centre.
SECTOR_UNIONS: tuple[tuple[str, str], ...] = (
    ("central_sector_union", "Công đoàn Giáo dục Việt Nam"),
    ("central_sector_union", "Công đoàn Y tế Việt Nam"),
    ("central_sector_union", "Công đoàn Công Thương Việt Nam"),
    ("central_sector_union", "Công đoàn Xây dựng Việt Nam"),
    ("central_sector_union", "Công đoàn Giao thông vận tải Việt Nam"),
    ("central_sector_union", "Công đoàn Nông nghiệp và Môi trường Việt Nam"),
    ("central_sector_union", "Công đoàn Ngân hàng Việt Nam"),
    ("central_sector_union", "Công đoàn Viên chức Việt Nam"),
    ("central_sector_union", "Công đoàn Công an nhân dân"),
    ("central_sector_union", "Công đoàn Quốc phòng"),
    ("central_sector_union", "Công đoàn Đường sắt Việt Nam"),
    ("central_sector_union", "Công đoàn Hàng không Việt Nam"),
    ("central_sector_union", "Công đoàn Cao su Việt Nam"),
    ("corporation_union", "Công đoàn Tập đoàn Điện lực Việt Nam"),
    ("corporation_union", "Công đoàn Dầu khí Việt Nam"),
    ("corporation_union", "Công đoàn Tập đoàn Công nghiệp Than - Khoáng sản Việt Nam"),
    ("corporation_union", "Công đoàn Tập đoàn Bưu chính Viễn thông Việt Nam"),
    ("corporation_union", "Công đoàn Tập đoàn Dệt May Việt Nam"),
    ("corporation_union", "Công đoàn Tổng công ty Hàng hải Việt Nam"),
    ("corporation_union", "Công đoàn Tập đoàn Hóa chất Việt Nam"),
    ("corporation_union", "Công đoàn Tổng công ty Thép Việt Nam"),
    ("corporation_union", "Công đoàn Tập đoàn Công nghiệp Viễn thông Quân đội"),
)

PLACE_WORDS = (
    "An",
    "Bình",
    "Phú",
    "Hòa",
    "Long",
    "Thạnh",
    "Phước",
    "Mỹ",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Trung",
    "Vĩnh",
    "Hưng",
    "Thành",
    "Quang",
    "Minh",
    "Hiệp",
    "Lợi",
    "Lộc",
    "Thuận",
    "Xuân",
    "Hải",
    "Sơn",
    "Lâm",
    "Thịnh",
    "Đức",
    "Nghĩa",
    "Khánh",
    "Yên",
    "Lạc",
    "Định",
    "Tân",
    "Hồng",
    "Cát",
    "Kim",
    "Ngọc",
    "Thái",
    "Phong",
)

PEOPLE = (
    "Nguyễn Du",
    "Lê Quý Đôn",
    "Trần Hưng Đạo",
    "Chu Văn An",
    "Nguyễn Trãi",
    "Lý Thường Kiệt",
    "Quang Trung",
    "Võ Thị Sáu",
    "Nguyễn Bỉnh Khiêm",
    "Lê Lợi",
    "Hai Bà Trưng",
    "Phan Bội Châu",
    "Phan Chu Trinh",
    "Trần Phú",
    "Kim Đồng",
    "Nguyễn Văn Trỗi",
    "Lê Hồng Phong",
    "Nguyễn Thị Minh Khai",
    "Ngô Quyền",
    "Đinh Tiên Hoàng",
)

FLOWERS = ("Hoa Sen", "Hoa Mai", "Hoa Hồng", "Họa Mi", "Sơn Ca", "Tuổi Thơ", "Ánh Dương", "Bình Minh")

BRAND_FIRST = (
    "Minh",
    "Hoàng",
    "Thành",
    "Phú",
    "An",
    "Hưng",
    "Việt",
    "Đại",
    "Tân",
    "Kim",
    "Bảo",
    "Gia",
    "Hồng",
    "Nam",
    "Đông",
    "Phương",
    "Thái",
    "Trường",
    "Quốc",
    "Toàn",
)
BRAND_SECOND = (
    "Phát",
    "Long",
    "Công",
    "Thịnh",
    "Khang",
    "Tiến",
    "Dương",
    "Hà",
    "Sơn",
    "Lộc",
    "Phúc",
    "Hải",
    "Anh",
    "Thắng",
    "Lợi",
    "Hưng",
    "Mỹ",
    "Tín",
    "Đạt",
    "Vinh",
)

# Foreign investors' names by origin: (first parts, second parts, joined without a space).
FOREIGN_BRANDS = (
    (
        ("Hwa", "Sung", "Dae", "Shin", "Kyung", "Han", "Young", "Jin", "Seo", "Hyun"),
        ("Seung", "Won", "Il", "Woo", "Bo", "Tech", "Jeong", "Yang", "Hwan", "Soo"),
        False,
    ),
    (
        ("Toyo", "Nippon", "Sumi", "Yama", "Kana", "Taka", "Hiro", "Asa", "Miya", "Fuji"),
        ("ko", "ta", "moto", " Seiki", " Denki", " Kogyo"),
        True,
    ),
    (
        ("Pou", "Fu", "Hong", "Chang", "Yue", "Tai", "Wan", "Kuo", "Shun", "Ming"),
        ("Yuen", "Sheng", "Hai", "Feng", "Da", "Li"),
        False,
    ),
)
FOREIGN_SUFFIXES = ("Việt Nam", "Vina", "Electronics Việt Nam", "Precision Việt Nam", "Apparel Vina")

# Sector of the employer → the word used in a company's name.
SECTORS: dict[str, str] = {
    "Dệt may": "Dệt may",
    "Da giày": "Giày da",
    "Điện tử": "Điện tử",
    "Cơ khí": "Cơ khí",
    "Chế biến thực phẩm": "Thực phẩm",
    "Xây dựng": "Xây dựng",
    "Vận tải": "Vận tải",
    "Thương mại": "Thương mại",
    "Thủy sản": "Thủy sản",
    "Chế biến gỗ": "Gỗ",
    "Hóa chất": "Hóa chất",
    "Logistics": "Logistics",
    "Du lịch": "Du lịch",
    "Công nghệ thông tin": "Công nghệ",
    "Nhựa": "Nhựa",
    "Dược phẩm": "Dược phẩm",
}

PUBLIC_EMPLOYERS = (
    ("Giáo dục", "Trường Tiểu học {person}"),
    ("Giáo dục", "Trường THCS {place}"),
    ("Giáo dục", "Trường THPT {person}"),
    ("Giáo dục", "Trường Mầm non {flower}"),
    ("Y tế", "Bệnh viện Đa khoa {place}"),
    ("Y tế", "Trung tâm Y tế {place}"),
    ("Y tế", "Trạm Y tế {place}"),
    ("Văn hóa", "Trung tâm Văn hóa - Thể thao {place}"),
)

COOPERATIVES = ("Nông nghiệp", "Dịch vụ nông nghiệp", "Thủy sản", "Vận tải", "Tiểu thủ công nghiệp", "Môi trường")

OTHER_EMPLOYERS = (
    "Văn phòng Công chứng {person}",
    "Trung tâm Ngoại ngữ {brand}",
    "Hội Chữ thập đỏ {place}",
    "Quỹ Tín dụng nhân dân {place}",
    "Văn phòng Luật sư {brand}",
)

PROFESSIONS = (
    "Nghiệp đoàn Xe ôm",
    "Nghiệp đoàn Bốc xếp",
    "Nghiệp đoàn Nghề cá",
    "Nghiệp đoàn Giúp việc gia đình",
    "Nghiệp đoàn Thợ may",
    "Nghiệp đoàn Buôn bán nhỏ",
    "Nghiệp đoàn Xây dựng tự do",
)

DEPARTMENTS = (
    "Phân xưởng May",
    "Phân xưởng Cắt",
    "Phòng Kỹ thuật",
    "Phòng Hành chính",
    "Xưởng Lắp ráp",
    "Kho vận",
    "Khối Văn phòng",
    "Phân xưởng Đóng gói",
    "Tổ Bảo trì",
    "Khoa Nội",
    "Khoa Ngoại",
)
