"""Create the first superuser for a production install, with a generated password shown once."""

import secrets
import string
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import create_user

_ALPHABET = string.ascii_letters + string.digits + "#%+-=@^_"


def generate_password(length: int = 16) -> str:
    """A random password that meets the policy (all four character classes)."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate


class Command(BaseCommand):
    help = "创建系统管理员（超级用户），随机生成强密码并只显示一次；首次登录须修改密码。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="admin", help="用户名（默认 admin）")
        parser.add_argument("--display-name", default="系统管理员", help="姓名")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if not username:
            raise CommandError("用户名不能为空")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户 {username} 已存在")
        password = generate_password()
        while True:
            try:
                validate_password(password, User(username=username))
                break
            except ValidationError:
                password = generate_password()
        create_user(
            actor=None,
            username=username,
            password=password,
            display_name=options["display_name"],
            must_change_password=True,
            is_superuser=True,
        )
        self.stdout.write(self.style.SUCCESS(f"已创建系统管理员 {username}"))
        self.stdout.write(f"初始密码（只显示这一次，请妥善保管）：{password}")
        self.stdout.write("首次登录后须修改密码。")
