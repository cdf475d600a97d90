import datetime as dt

import pytest

from personal import idcard


def test_a_known_valid_number_parses_to_birth_and_gender():
    number, birth, gender = idcard.parse("11010519491231002x")
    assert number == "11010519491231002X"
    assert birth == dt.date(1949, 12, 31)
    assert gender == "女"


def test_made_numbers_are_valid():
    number = idcard.make("340826", dt.date(1985, 2, 28), 17)
    assert idcard.parse(number)[1:] == (dt.date(1985, 2, 28), "男")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12345", "18位"),
        ("110105194912310021", "校验位"),
        ("110105194902300020", "出生日期"),
    ],
)
def test_bad_numbers_are_refused_in_chinese(value, message):
    with pytest.raises(idcard.InvalidIdNumber, match=message):
        idcard.parse(value)
