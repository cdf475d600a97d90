"""Password policy (等保三级): at least 8 characters from 3 of 4 classes, not the username or phone."""

import re
from typing import Any

from django.conf import settings
from django.contrib.auth import hashers as password_validation_hashers
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


class InitialPasswordHasher(password_validation_hashers.PBKDF2PasswordHasher):
    """PBKDF2-SHA256 at a lower cost, for generated initial passwords only (bulk provisioning).

    The deliberate cost of a password hash protects guessable, human-chosen passwords. An initial password
    here is 12 random symbols of 56 (about 69 bits): at 1,000 iterations a GPU doing 10^10 SHA-256 a
    second tries about 5·10^6 a second and needs some 2·10^6 years for half of them, so Django's
    1,000,000 iterations (0.6–1.1 s of CPU per account: 41–80 hours for 250,000 members, bench/RESULTS.md)
    would buy nothing. The password works once: the first login
    forces a change (User.must_change_password), which hashes the chosen password with the default hasher,
    and `must_update` re-hashes any password still under this one at login. Iterations:
    XIANFENG_INITIAL_PASSWORD_ITERATIONS (bench/bench_provisioning.py measures the cost).
    """

    algorithm = "pbkdf2_sha256_initial"

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        return super().encode(password, salt, iterations or settings.INITIAL_PASSWORD_ITERATIONS)

    def harden_runtime(self, password: str, encoded: str) -> None:
        return None  # the passwords are random: nothing to hide about their age

    def must_update(self, encoded: str) -> bool:
        return True
