"""Account housekeeping (等保三级 身份鉴别): disable dormant accounts; list accounts worth a look.

- `disable_dormant_accounts`: no login for XIANFENG_DORMANT_DAYS (never logged in: counted from the
  account's creation) → is_active=False, one audit event per account. Run daily by the scheduler
  (accounts.tasks.disable_dormant_accounts_task, 03:00) and by `manage.py accounts_disable_dormant`.
- `selfcheck`: default or shared-looking usernames, accounts never used, initial passwords never
  changed, accounts without any role. `manage.py accounts_selfcheck` prints them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event

# Names that installers, demos and shared desks tend to use.
DEFAULT_NAMES = re.compile(
    r"^(admin|administrator|root|test\d*|tester|demo\d*|guest|user\d*|system|sysadmin|manager|"
    r"operator|default|temp|tmp|public|share|shared|common|office|duty)$",
    re.IGNORECASE,
)


def _dormant_q(cutoff: dt.datetime) -> Q:
    return Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)


@transaction.atomic
def disable_dormant_accounts(*, actor: User | None = None, now: dt.datetime | None = None) -> list[str]:
    """Disable every active account with no login for XIANFENG_DORMANT_DAYS; returns their usernames."""
    now = now or timezone.now()
    days = settings.XIANFENG_DORMANT_DAYS
    cutoff = now - dt.timedelta(days=days)
    users = list(lock_rows(User.objects).filter(_dormant_q(cutoff), is_active=True).order_by("pk"))
    for user in users:
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_event(
            actor=actor,
            actor_name="" if actor else "system",
            action=AuditEvent.Action.UPDATE,
            target=user,
            summary={
                "is_active": [True, False],
                "reason": "dormant",
                "days": days,
                "last_login": user.last_login.isoformat() if user.last_login else None,
            },
        )
    return [u.username for u in users]


@dataclass(frozen=True)
class Finding:
    username: str
    kind: str
    detail: str


KINDS = {
    "default_name": "默认或共用账号名",
    "never_used": "从未登录",
    "initial_password": "仍未修改初始密码",
    "no_role": "没有任何角色",
    "superuser": "超级用户",
}


def selfcheck(*, now: dt.datetime | None = None) -> list[Finding]:
    """Active accounts an administrator should review, one finding per (account, reason)."""
    now = now or timezone.now()
    days = settings.XIANFENG_SELFCHECK_DAYS
    old = now - dt.timedelta(days=days)
    found: list[Finding] = []
    for user in User.objects.filter(is_active=True).order_by("username").iterator(chunk_size=500):
        if DEFAULT_NAMES.match(user.username):
            found.append(Finding(user.username, "default_name", "账号名像是默认、演示或多人共用的账号"))
        if user.last_login is None and user.date_joined < old:
            found.append(Finding(user.username, "never_used", f"创建超过{days}天从未登录"))
        if user.must_change_password and user.date_joined < old:
            found.append(Finding(user.username, "initial_password", f"创建超过{days}天仍使用初始密码"))
        if user.is_superuser:
            found.append(Finding(user.username, "superuser", "超级用户拥有全部权限，应仅用于初始化和应急"))
    no_role = User.objects.filter(is_active=True, is_superuser=False, grants__isnull=True).order_by(
        "username"
    )
    for username in no_role.values_list("username", flat=True):
        found.append(Finding(username, "no_role", "账号没有任何角色授权，可考虑停用"))
    return sorted(found, key=lambda f: (f.username, f.kind))
