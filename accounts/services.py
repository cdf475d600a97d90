"""Account writes: login with lockout, logout, password change, users and role grants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.access import forget_scope
from accounts.models import LoginAttempt, Role, RoleGrant, User
from audit.middleware import client_ip
from audit.models import AuditEvent
from audit.services import record_event

# One message for an unknown user and a wrong password, so usernames cannot be probed.
BAD_CREDENTIALS = "用户名或密码错误"


class LoginError(Exception):
    """A refused login; `code` is "bad", "locked" or "must_change" so callers can pick a status."""

    def __init__(self, message: str, *, code: str = "bad") -> None:
        super().__init__(message)
        self.code = code


def _locked_by(failures: QuerySet[LoginAttempt], now: dt.datetime) -> bool:
    """Locked when the newest LOGIN_MAX_FAILURES failures fit in one window that ended < a window ago.

    So the lock lasts LOGIN_LOCKOUT_MINUTES from the failure that triggered it, however the
    failures were spread inside the window.
    """
    window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    limit = settings.LOGIN_MAX_FAILURES
    times = list(
        failures.filter(created_at__gte=now - 2 * window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    return len(times) >= limit and times[0] >= now - window and times[0] - times[-1] <= window


def is_locked(*, username: str, ip: str | None) -> bool:
    now = timezone.now()
    attempts = LoginAttempt.objects.filter(username=username)
    # A successful login clears the account's count, so the owner is not punished for old typos.
    last_ok = attempts.filter(succeeded=True).aggregate(t=Max("created_at"))["t"]
    failures = attempts.filter(succeeded=False)
    if last_ok is not None:
        failures = failures.filter(created_at__gt=last_ok)
    if _locked_by(failures, now):
        return True
    # Per IP every failure counts: one valid account must not reset the count while others are guessed.
    return ip is not None and _locked_by(LoginAttempt.objects.filter(ip=ip, succeeded=False), now)


def _authenticate(request: HttpRequest, *, username: str, password: str, channel: str) -> User:
    """The one authentication path for pages and API: lockout, attempt rows and failure audit.

    Refusals while locked are audited but not counted, so a lock ends LOGIN_LOCKOUT_MINUTES after
    the failure that caused it and a locked IP cannot extend other accounts' locks.
    """
    username = (username or "").strip()[:150]
    ip = client_ip(request)
    now = timezone.now()

    def fail(reason: str) -> None:
        record_event(
            actor=None,
            actor_name=username,
            action=AuditEvent.Action.LOGIN_FAILED,
            summary={"reason": reason, "channel": channel},
            ip=ip,
        )

    if is_locked(username=username, ip=ip):
        fail("locked")
        raise LoginError(f"登录失败次数过多，请{settings.LOGIN_LOCKOUT_MINUTES}分钟后再试", code="locked")
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginAttempt.objects.create(username=username, ip=ip, succeeded=False, created_at=now)
        fail("bad")
        raise LoginError(BAD_CREDENTIALS)
    LoginAttempt.objects.create(username=username, ip=ip, succeeded=True, created_at=now)
    return user  # type: ignore[return-value]


def login_user(request: HttpRequest, *, username: str, password: str) -> User:
    """Authenticate and log in, or raise LoginError with the message to show."""
    user = _authenticate(request, username=username, password=password, channel="web")
    login(request, user)  # rotates the session key
    request.session["last_seen"] = timezone.now().timestamp()
    record_event(
        actor=user, action=AuditEvent.Action.LOGIN, summary={"channel": "web"}, ip=client_ip(request)
    )
    return user


MUST_CHANGE_FOR_API = "请先登录网页修改初始密码"


def issue_api_token(*, request: HttpRequest, username: str, password: str) -> Token:
    """Return the user's API token (creating it) after the same checks as the login page; no session."""
    user = _authenticate(request, username=username, password=password, channel="api")
    ip = client_ip(request)
    if user.must_change_password:
        record_event(
            actor=user,
            action=AuditEvent.Action.LOGIN_FAILED,
            summary={"reason": "must_change_password", "channel": "api"},
            ip=ip,
        )
        raise LoginError(MUST_CHANGE_FOR_API, code="must_change")
    token, _ = Token.objects.get_or_create(user=user)
    record_event(actor=user, action=AuditEvent.Action.LOGIN, summary={"channel": "api"}, ip=ip)
    return token


def logout_user(request: HttpRequest, *, reason: str = "user") -> None:
    user = request.user
    if user.is_authenticated:
        record_event(actor=user, action=AuditEvent.Action.LOGOUT, summary={"reason": reason})
    logout(request)


@transaction.atomic
def change_password(*, user: User, new_password: str, request: HttpRequest | None = None) -> None:
    """Set a new password; every other session and every API token of the user stops working."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    Token.objects.filter(user=user).delete()
    if request is not None:
        # The session auth hash changes with the password, so other sessions are already invalid;
        # keep this one, under a fresh key (update_session_auth_hash cycles it).
        update_session_auth_hash(request, user)
    record_event(actor=user, action=AuditEvent.Action.PASSWORD_CHANGE, target=user)


@transaction.atomic
def create_user(
    *,
    actor: Any,
    username: str,
    password: str,
    display_name: str = "",
    must_change_password: bool = True,
    is_superuser: bool = False,
) -> User:
    user = User(
        username=username,
        display_name=display_name,
        must_change_password=must_change_password,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    record_event(actor=actor, action=AuditEvent.Action.CREATE, target=user)
    return user


@transaction.atomic
def grant_role(*, actor: Any, user: User, org: Any, role: Role | str) -> RoleGrant:
    grant, _ = RoleGrant.objects.get_or_create(user=user, org=org, role=role)
    forget_scope(user)
    record_event(
        actor=actor, action=AuditEvent.Action.GRANT, target=user, org=org, summary={"role": str(role)}
    )
    return grant
