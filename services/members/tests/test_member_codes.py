"""The national member code: format, check digits, and the SQL twin used by bulk approval."""

from members.domain.member_codes import check_digits, is_valid_member_code, member_code_of
from sqlalchemy import text


def test_code_is_nine_digit_serial_and_two_mod97_check_digits():
    assert member_code_of(1) == "000000001" + check_digits(1)
    assert len(member_code_of(123_456_789)) == 11
    assert int(member_code_of(42)) % 97 == 1


def test_every_single_digit_error_and_adjacent_swap_is_caught():
    code = member_code_of(987_654)
    for position in range(len(code)):
        for digit in "0123456789":
            if digit != code[position]:
                assert not is_valid_member_code(code[:position] + digit + code[position + 1 :])
    for position in range(len(code) - 1):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
        if swapped != code:
            assert not is_valid_member_code(swapped)


def test_codes_are_never_mistaken_for_id_numbers():
    assert not is_valid_member_code("001090000001")  # a CCCD is 12 digits
    assert not is_valid_member_code("012345678")  # a CMND is 9


async def test_sql_function_issues_the_same_codes_as_python(registry):
    serials = [1, 2, 96, 97, 98, 1000, 123_456, 999_999_999]
    async with registry.db.transaction() as session:
        issued = list(
            await session.scalars(
                text("SELECT member_code_of(s) FROM unnest(CAST(:serials AS bigint[])) AS s"), {"serials": serials}
            )
        )
    assert issued == [member_code_of(s) for s in serials]
