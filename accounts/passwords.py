"""Password policy (等保三级): at least 8 characters from 3 of 4 classes, not the username or phone."""

import re
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

import personal


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message (Django 5.2's zh-hans catalog lacks the new text)."""

    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符"

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"\d"), re.compile(r"[^a-zA-Z\d]"))


class CharacterClassValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if sum(1 for c in _CLASSES if c.search(password)) < 3:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类", code="password_classes"
            )

    def get_help_text(self) -> str:
        return "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类。"


class NotUsernameOrPhoneValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        lowered = password.lower()
        username = (getattr(user, "username", "") or "").lower()
        if username and (lowered == username or username in lowered):
            raise ValidationError("密码不能包含用户名", code="password_username")
        member = getattr(user, "member", None)
        if member is not None and member.phone_hash:
            digits = re.sub(r"\D", "", password)
            if len(digits) >= 11 and any(
                personal.blind_index("phone", digits[i : i + 11]) == member.phone_hash
                for i in range(len(digits) - 10)
            ):
                raise ValidationError("密码不能包含手机号", code="password_phone")

    def get_help_text(self) -> str:
        return "密码不能包含用户名或手机号。"
