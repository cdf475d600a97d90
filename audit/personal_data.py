"""Find personal data in free text: 公民身份号码 (with a valid check digit) and mainland mobile numbers.

Used by the test suite's log guard (audit.log_guard) to prove no application log carries them.
"""

from __future__ import annotations

import re

from personal import mask_id_number, mask_phone
from personal.idcard import check_digit

ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
# Identifiers that are not personal data but can hold a run of digits shaped like a mobile number: UUIDs
# (django-tasks logs "Task id=…-e6f7-4c15812340400…") and hex digests of 32+ characters. Blanked first.
_NOT_PERSONAL = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32,})(?![0-9A-Za-z])"
)


def find_personal_data(text: str) -> list[str]:
    """Masked descriptions of every ID number (valid checksum) and mobile number found in `text`."""
    found = []
    text = _NOT_PERSONAL.sub(" ", text)
    for m in ID_NUMBER.finditer(text):
        value = m.group(0).upper()
        if check_digit(value[:17]) == value[17]:
            found.append(f"身份证号 {mask_id_number(value)}")
    for m in MOBILE.finditer(text):
        found.append(f"手机号 {mask_phone(m.group(0))}")
    return found
