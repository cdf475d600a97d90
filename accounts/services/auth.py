"""Login with lockout and two factors, logout, password change; create_user and grant_role for implied grants."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone

import personal
from accounts import otp, tokens
from accounts.models import ApiToken, LoginAttempt, User
from audit.middleware import client_ip
from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import Actor, check_separation, forget_scope, is_security_admin
from orgs.models import Organization, RoleGrant
from orgs.roles import Role

# One message for an unknown user and a wrong password, so usernames cannot be probed.
BAD_CREDENTIALS = "用户名或密码错误"
LOCKED = "登录失败次数过多，请{minutes}分钟后再试"
THROTTLED = "此网络登录失败次数过多，请{minutes}分钟后再试；曾在此网络登录过的账号不受影响"


class LoginError(Exception):
    """A refused login; `code` ("bad", "locked", "throttled", "must_change"...) lets callers pick a status."""

    def __init__(self, message: str, *, code: str = "bad") -> None:
        super().__init__(message)
        self.code = code


def _locked_by(failures: QuerySet[LoginAttempt], now: dt.datetime, limit: int) -> bool:
    """Locked when the newest `limit` failures fit in one window that ended < a window ago.

    So the lock lasts LOGIN_LOCKOUT_MINUTES from the failure that triggered it, however the
    failures were spread inside the window.
    """
    window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    times = list(
        failures.filter(created_at__gte=now - 2 * window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    return len(times) >= limit and times[0] >= now - window and times[0] - times[-1] <= window


def is_locked(*, username: str) -> bool:
    """The account's own lockout: LOGIN_MAX_FAILURES failures, from any address, since its last success."""
    attempts = LoginAttempt.objects.filter(username=username)
    # A successful login clears the account's count, so the owner is not punished for old typos.
    last_ok = attempts.filter(succeeded=True).aggregate(t=Max("created_at"))["t"]
    failures = attempts.filter(succeeded=False)
    if last_ok is not None:
        failures = failures.filter(created_at__gt=last_ok)
    return _locked_by(failures, timezone.now(), settings.LOGIN_MAX_FAILURES)


def is_throttled(*, ip: str | None, username: str) -> bool:
    """Whether a guess for `username` from `ip` is refused because the address is guessing.

    One address may fail LOGIN_IP_MAX_FAILURES times in a window (every failure counts, so a valid
    account cannot reset it). Past that, only accounts that logged in from this address within
    LOGIN_IP_TRUST_DAYS may still try: the colleagues behind a village office's NAT keep working while
    new names from that address (a password spray) wait for the window to pass.
    """
    if ip is None:
        return False
    now = timezone.now()
    failures = LoginAttempt.objects.filter(ip=ip, succeeded=False)
    if not _locked_by(failures, now, settings.LOGIN_IP_MAX_FAILURES):
        return False
    trusted_since = now - dt.timedelta(days=settings.LOGIN_IP_TRUST_DAYS)
    return not LoginAttempt.objects.filter(
        username=username, ip=ip, succeeded=True, created_at__gte=trusted_since
    ).exists()


def login_name(typed: str) -> str:
    """The username a login form's entry stands for: a member may type their phone instead of their ID.

    A full phone number is looked up by its keyed hash (Member.phone_hash): the account of the one member
    with that phone answers for it. An unknown or shared phone is kept masked, so attempt rows and audit
    events never hold a phone number in clear.
    """
    if not re.fullmatch(r"1\d{10}", typed):
        return typed
    found = list(
        User.objects.filter(member__phone_hash=personal.blind_index("phone", typed)).values_list(
            "username", flat=True
        )[:2]
    )
    return found[0] if len(found) == 1 else personal.mask_phone(typed)


def _authenticate(request: HttpRequest, *, username: str, password: str, channel: str) -> User:
    """The one authentication path for pages and API: lockout, attempt rows and failure audit.

    Refusals while locked or throttled are audited but not counted, so a lock ends LOGIN_LOCKOUT_MINUTES
    after the failure that caused it and a throttled IP cannot extend other accounts' locks.
    """
    username = login_name((username or "").strip()[:150])
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

    if is_locked(username=username):
        fail("locked")
        raise LoginError(LOCKED.format(minutes=settings.LOGIN_LOCKOUT_MINUTES), code="locked")
    if is_throttled(ip=ip, username=username):
        fail("ip_throttled")
        raise LoginError(THROTTLED.format(minutes=settings.LOGIN_LOCKOUT_MINUTES), code="throttled")
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginAttempt.objects.create(username=username, ip=ip, succeeded=False, created_at=now)
        fail("bad")
        raise LoginError(BAD_CREDENTIALS)
    # With a second factor to come, the password alone is not a success: it must not reset the
    # failure count, or failed codes between correct passwords would never lock the account.
    if not otp.needs_second_factor(user):
        LoginAttempt.objects.create(username=username, ip=ip, succeeded=True, created_at=now)
    return user  # type: ignore[return-value]


OTP_BAD = "动态验证码错误或已使用"
OTP_MISSING = "请输入动态验证码"
OTP_NOT_ENROLLED_FOR_API = "请先登录网页启用双因素认证"


def _second_factor(request: HttpRequest, *, user: User, code: str, channel: str) -> str:
    """Check the TOTP (or recovery) code under the same lockout as passwords; returns how it passed."""
    username = user.get_username()
    ip = client_ip(request)
    if is_locked(username=username):
        record_event(
            actor=None,
            actor_name=username,
            action=AuditEvent.Action.LOGIN_FAILED,
            summary={"reason": "locked", "channel": channel},
            ip=ip,
        )
        raise LoginError(LOCKED.format(minutes=settings.LOGIN_LOCKOUT_MINUTES), code="locked")
    method = otp.verify(user=user, code=code)
    now = timezone.now()
    if method is None:
        LoginAttempt.objects.create(username=username, ip=ip, succeeded=False, created_at=now)
        record_event(
            actor=None,
            actor_name=username,
            action=AuditEvent.Action.LOGIN_FAILED,
            summary={"reason": "otp", "channel": channel},
            ip=ip,
        )
        raise LoginError(OTP_BAD)
    LoginAttempt.objects.create(username=username, ip=ip, succeeded=True, created_at=now)
    return method


def _finish_login(request: HttpRequest, user: User, **summary: str) -> None:
    otp.clear_pending(request)
    login(request, user)  # rotates the session key
    request.session["last_seen"] = timezone.now().timestamp()
    record_event(
        actor=user,
        action=AuditEvent.Action.LOGIN,
        summary={"channel": "web", **summary},
        ip=client_ip(request),
    )


def complete_second_factor(request: HttpRequest, *, code: str) -> User:
    """The login's second step: a valid code for the pending user logs them in."""
    user = otp.pending_user(request)
    if user is None:
        otp.clear_pending(request)
        raise LoginError("登录已过期，请重新输入用户名和密码", code="expired")
    try:
        method = _second_factor(request, user=user, code=code, channel="web")
    except LoginError as exc:
        if exc.code == "locked":
            otp.clear_pending(request)
        raise
    _finish_login(request, user, second_factor=method)
    return user


def complete_enrolment(request: HttpRequest, *, user: User, code: str) -> list[str]:
    """Confirm the authenticator with a first code; a pending login then becomes a real one.

    Returns the recovery codes to show once. A wrong code counts towards the lockout like a password.
    """
    username = user.get_username()
    ip = client_ip(request)
    if is_locked(username=username):
        raise LoginError(LOCKED.format(minutes=settings.LOGIN_LOCKOUT_MINUTES), code="locked")
    codes = otp.confirm_enrolment(user=user, code=code)
    if codes is None:
        LoginAttempt.objects.create(username=username, ip=ip, succeeded=False, created_at=timezone.now())
        raise LoginError(OTP_BAD)
    if not request.user.is_authenticated:
        LoginAttempt.objects.create(username=username, ip=ip, succeeded=True, created_at=timezone.now())
        _finish_login(request, user, second_factor="enrolled")
    return codes


def login_user(request: HttpRequest, *, username: str, password: str) -> User:
    """Authenticate and log in, or raise LoginError with the message to show.

    Users with two-factor authentication (required for admin roles, or opted in) are NOT logged in
    here: the session only gets otp.PENDING_KEY and the caller sends them to the code (or enrolment)
    page; `complete_second_factor` / `complete_enrolment` log them in.
    """
    user = _authenticate(request, username=username, password=password, channel="web")
    if otp.needs_second_factor(user):
        otp.begin_pending(request, user)
        return user
    _finish_login(request, user)
    return user


MUST_CHANGE_FOR_API = "请先登录网页修改初始密码"


def issue_api_token(
    *, request: HttpRequest, username: str, password: str, otp_code: str = ""
) -> tuple[ApiToken, str]:
    """A new API token and its key after the same checks as the login page; no session.

    Users with two-factor authentication must send the current code too (`otp`). The token expires
    (accounts.tokens); each call issues a new one.
    """
    user = _authenticate(request, username=username, password=password, channel="api")
    ip = client_ip(request)
    if otp.needs_second_factor(user):
        if otp.confirmed_device(user) is None:
            record_event(
                actor=user,
                action=AuditEvent.Action.LOGIN_FAILED,
                summary={"reason": "2fa_not_enrolled", "channel": "api"},
                ip=ip,
            )
            raise LoginError(OTP_NOT_ENROLLED_FOR_API, code="must_enrol")
        if not otp_code:
            LoginAttempt.objects.create(
                username=user.get_username(), ip=ip, succeeded=False, created_at=timezone.now()
            )
            raise LoginError(OTP_MISSING, code="otp_required")
        _second_factor(request, user=user, code=otp_code, channel="api")
    if user.must_change_password:
        record_event(
            actor=user,
            action=AuditEvent.Action.LOGIN_FAILED,
            summary={"reason": "must_change_password", "channel": "api"},
            ip=ip,
        )
        raise LoginError(MUST_CHANGE_FOR_API, code="must_change")
    token, key = tokens.issue(user=user)
    update_last_login(User, user)  # API-only users are not dormant (accounts.housekeeping)
    record_event(
        actor=user, action=AuditEvent.Action.LOGIN, summary={"channel": "api", "token": token.pk}, ip=ip
    )
    return token, key


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
    ApiToken.objects.filter(user=user).delete()
    if request is not None:
        # The session auth hash changes with the password, so other sessions are already invalid;
        # keep this one, under a fresh key (update_session_auth_hash cycles it).
        update_session_auth_hash(request, user)
    record_event(actor=user, action=AuditEvent.Action.PASSWORD_CHANGE, target=user)


@transaction.atomic
def create_user(
    *,
    actor: User | None,
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
def grant_role(*, actor: User | None, user: User, org: Organization, role: Role | str) -> RoleGrant:
    """Grant a role; refuses (ValidationError) what 三员分立 forbids (orgs.roles)."""
    check_separation(user, str(role))
    grant, _ = RoleGrant.objects.get_or_create(user=user, org=org, role=role)
    forget_scope(user)
    record_event(
        actor=actor, action=AuditEvent.Action.GRANT, target=user, org=org, summary={"role": str(role)}
    )
    return grant


# ---- 安全管理员 (security administrator) operations -------------------------------------------------


def _require_security_admin(actor: Actor) -> None:
    if not is_security_admin(actor):
        raise PermissionDenied("只有安全管理员可以执行此操作")


@transaction.atomic
def unlock_account(*, actor: Actor, user: User) -> int:
    """Forget the user's recent failed logins, ending a lockout early; returns how many were cleared."""
    _require_security_admin(actor)
    cleared, _ = LoginAttempt.objects.filter(username=user.get_username(), succeeded=False).delete()
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=user,
        summary={"security": "unlock", "cleared": cleared},
    )
    return cleared


@transaction.atomic
def reset_second_factor(*, actor: Actor, user: User) -> None:
    """Remove a user's authenticator (lost phone): admins must enrol again at their next login."""
    _require_security_admin(actor)
    if actor.pk == user.pk:
        raise PermissionDenied("不能重置自己的双因素认证")
    otp.disable(user=user, actor=actor, reason="security_admin_reset")
