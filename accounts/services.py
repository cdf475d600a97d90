"""Account writes: login with lockout, logout, password change, users and role grants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Max
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
    pass


def _recent_failures(*, since: dt.datetime, username: str | None = None, ip: str | None = None) -> int:
    qs = LoginAttempt.objects.filter(created_at__gte=since)
    qs = qs.filter(username=username) if username is not None else qs.filter(ip=ip)
    last_ok = qs.filter(succeeded=True).aggregate(t=Max("created_at"))["t"]
    failures = qs.filter(succeeded=False)
    if last_ok is not None:
        failures = failures.filter(created_at__gt=last_ok)
    return failures.count()


def is_locked(*, username: str, ip: str | None) -> bool:
    since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    limit = settings.LOGIN_MAX_FAILURES
    if _recent_failures(since=since, username=username) >= limit:
        return True
    return ip is not None and _recent_failures(since=since, ip=ip) >= limit


def login_user(request: HttpRequest, *, username: str, password: str) -> User:
    """Authenticate and log in, or raise LoginError with the message to show."""
    username = (username or "").strip()
    ip = client_ip(request)
    now = timezone.now()
    if is_locked(username=username, ip=ip):
        LoginAttempt.objects.create(username=username, ip=ip, succeeded=False, created_at=now)
        record_event(
            actor=None,
            actor_name=username,
            action=AuditEvent.Action.LOGIN_FAILED,
            summary={"reason": "locked"},
        )
        raise LoginError(f"登录失败次数过多，请{settings.LOGIN_LOCKOUT_MINUTES}分钟后再试")
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginAttempt.objects.create(username=username, ip=ip, succeeded=False, created_at=now)
        record_event(
            actor=None, actor_name=username, action=AuditEvent.Action.LOGIN_FAILED, summary={"reason": "bad"}
        )
        raise LoginError(BAD_CREDENTIALS)
    LoginAttempt.objects.create(username=username, ip=ip, succeeded=True, created_at=now)
    login(request, user)  # rotates the session key
    request.session["last_seen"] = now.timestamp()
    record_event(actor=user, action=AuditEvent.Action.LOGIN)
    return user  # type: ignore[return-value]


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
        # keep this one, under a fresh key.
        update_session_auth_hash(request, user)
        request.session.cycle_key()
    record_event(actor=user, action=AuditEvent.Action.PASSWORD_CHANGE, target=user)


@transaction.atomic
def create_user(
    *, actor: Any, username: str, password: str, display_name: str = "", must_change_password: bool = True
) -> User:
    user = User(username=username, display_name=display_name, must_change_password=must_change_password)
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
