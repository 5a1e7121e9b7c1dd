"""CCCD / CMND rules: pure domain tests."""

from datetime import date

from members.domain.identity_numbers import check_cccd, check_cmnd


def codes(errors):
    return [error.code for error in errors]


def test_valid_cccd_matches_province_gender_century_and_year():
    assert check_cccd("001090123456", "male", date(1990, 5, 1)) == []
    assert check_cccd("079303123456", "female", date(2003, 1, 2)) == []


def test_cccd_must_be_twelve_digits():
    assert codes(check_cccd("00109012345", "male", date(1990, 5, 1))) == ["cccd-format"]
    assert codes(check_cccd("00109012345A", "male", date(1990, 5, 1))) == ["cccd-format"]


def test_cccd_province_code_must_exist():
    assert codes(check_cccd("003090123456", "male", date(1990, 5, 1))) == ["cccd-province"]


def test_cccd_gender_and_century_digit_must_agree():
    assert codes(check_cccd("001190123456", "male", date(1990, 5, 1))) == ["cccd-gender-century"]
    assert codes(check_cccd("001090123456", "male", date(2090, 5, 1))) == ["cccd-gender-century"]


def test_cccd_year_digits_must_agree():
    assert codes(check_cccd("001091123456", "male", date(1990, 5, 1))) == ["cccd-birth-year"]


def test_legacy_cmnd_is_nine_digits():
    assert check_cmnd("012345678") == []
    assert codes(check_cmnd("01234567")) == ["cmnd-format"]
