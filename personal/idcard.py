"""公民身份号码 (GB 11643-1999) validation and the facts it encodes."""

import datetime as dt
import re
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


class InvalidIdNumber(ValueError):
    pass


def check_digit(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("check_digit takes the first 17 digits")
    return _CHECK[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


def normalize(value: str) -> str:
    return (value or "").strip().upper()


def parse(value: str) -> tuple[str, dt.date, str]:
    """Return (normalized number, birth date, gender '男'/'女') or raise InvalidIdNumber in Chinese."""
    number = normalize(value)
    if not _PATTERN.match(number):
        raise InvalidIdNumber("公民身份号码应为18位，前17位为数字，末位为数字或X")
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber("公民身份号码校验位错误")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber("公民身份号码中的出生日期无效") from exc
    if birth.year < 1900:
        raise InvalidIdNumber("公民身份号码中的出生日期无效")
    gender = "男" if int(number[16]) % 2 == 1 else "女"
    return number, birth, gender


def make(region: str, birth: dt.date, seq: int) -> str:
    """Build a valid number (for demo data and tests): 6-digit region, birth date, 3-digit sequence."""
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq % 1000:03d}"
    return first17 + check_digit(first17)
