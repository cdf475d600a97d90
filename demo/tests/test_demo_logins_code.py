from io import StringIO

import time_machine
from django.core.management import call_command

from accounts.otp import totp
from demo.management.commands.demo_logins import DEMO_TOTP_SECRET


def test_demo_logins_code_prints_the_current_and_next_authenticator_codes() -> None:
    out = StringIO()
    with time_machine.travel(1_800_000_010, tick=False):
        call_command("demo_logins", code=True, stdout=out)
        now, later = totp(DEMO_TOTP_SECRET), totp(DEMO_TOTP_SECRET, 1_800_000_040)
    text = out.getvalue()
    assert f"当前动态验证码：{now}（还可使用约 20 秒）" in text and f"下一个验证码：{later}" in text
