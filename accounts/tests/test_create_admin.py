import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from audit.models import AuditEvent


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_admin", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_superuser_who_must_change_the_printed_password(db):
    output = run("--username", "chief")
    password = re.search(r"初始密码.*?：(\S+)", output).group(1)
    user = User.objects.get(username="chief")
    assert user.is_superuser and user.is_staff and user.must_change_password
    assert user.check_password(password)
    assert len(password) >= 16


def test_the_creation_is_audited(db):
    run()
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE)
    assert event.target_repr == "系统管理员"


def test_an_existing_username_is_refused(db):
    run()
    with pytest.raises(CommandError, match="已存在"):
        run()
