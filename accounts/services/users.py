"""The 三员 user-management writes (等保三级 三权分立).

- The 系统管理员 (SYSTEM_ADMIN, or a superuser) manages accounts: creates them, disables and enables them,
  resets passwords. They cannot grant or revoke roles.
- The 安全管理员 (SECURITY_ADMIN) grants and revokes roles on nodes. They cannot create accounts or touch
  passwords.
- Nobody changes their own account or grants here (no self-service privilege).

A new or reset password is an initial password: random, policy-compliant, changed at the next login
(User.must_change_password). It goes by SMS to the member's phone (the outbox keeps it encrypted) or is
returned to be shown once; it is never stored in clear.
"""

from __future__ import annotations

import re
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services.auth import grant_role
from audit.models import AuditEvent
from audit.services import record_event
from notifications.models import Message
from notifications.services import enqueue_message, secret_body
from orgs.access import Actor, forget_scope, holds, is_security_admin
from orgs.models import Member, Organization, RoleGrant
from orgs.roles import Role

NOT_SYSTEM_ADMIN = "只有系统管理员可以管理账号"
NOT_SECURITY_ADMIN = "只有安全管理员可以授予或撤销角色"
NOT_SELF = "不能对自己的账号执行此操作"
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,150}$")
# No 0/O, 1/l/I: initial passwords are read off a phone or a printed slip.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"
INITIAL_PASSWORD_LENGTH = 12  # 12 of 56 symbols: about 69 bits


def is_system_admin(user: object) -> bool:
    return holds(user, {Role.SYSTEM_ADMIN})


def can_manage_users(user: object) -> bool:
    """Who sees the user pages: the system administrator (accounts) and the security administrator (roles)."""
    return is_system_admin(user) or is_security_admin(user)


def require_system_admin(actor: Actor) -> None:
    if not is_system_admin(actor):
        raise PermissionDenied(NOT_SYSTEM_ADMIN)


def require_security_admin(actor: Actor) -> None:
    if not is_security_admin(actor):
        raise PermissionDenied(NOT_SECURITY_ADMIN)


def _not_self(actor: Actor, user: User) -> None:
    if actor.pk == user.pk:
        raise PermissionDenied(NOT_SELF)


def generate_initial_password() -> str:
    """A random password meeting the policy (three character classes, no username inside)."""
    alphabet = _UPPER + _LOWER + _DIGITS
    chars = [secrets.choice(_UPPER), secrets.choice(_LOWER), secrets.choice(_DIGITS)]
    chars += [secrets.choice(alphabet) for _ in range(INITIAL_PASSWORD_LENGTH - 3)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def password_sms(*, user: User, password: str, reason: str) -> str:
    return (
        f"【先锋智慧党建】您的账号{reason}，登录名：{user.username}，初始密码：{password}。"
        "首次登录须修改密码，请勿告知他人。"
    )


def send_password_sms(*, user: User, member: Member, password: str, reason: str, key: str) -> bool:
    """Queue the initial password to the member's phone (encrypted in the outbox); False without a phone."""
    if not member.phone_enc:
        return False
    enqueue_message(
        channel=Message.Channel.SMS,
        dedupe_key=key,
        body=secret_body(password_sms(user=user, password=password, reason=reason)),
        recipient=user,
        phone_enc=member.phone_enc,
        phone_masked=member.phone_masked,
        recipient_name=member.name,
        org=member.org,
        title="账号初始密码",
    )
    return True


@transaction.atomic
def create_account(
    *, actor: Actor, username: str, display_name: str, member: Member | None = None
) -> tuple[User, str]:
    """A new account with an initial password. Returns (user, password to show once), the password
    being "" when it went by SMS to the linked member's phone."""
    require_system_admin(actor)
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = ["用户名须为 3–150 位字母、数字或 _ . @ -"]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["该用户名已被使用"]
    if not display_name.strip():
        errors["display_name"] = ["请填写姓名"]
    if member is not None and User.objects.filter(member=member).exists():
        errors["member"] = ["该党员已有账号"]
    if errors:
        raise ValidationError(errors)
    password = generate_initial_password()
    user = User(username=username, display_name=display_name.strip()[:40], member=member)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=user,
        org=member.org if member else None,
        summary={"via": "user_admin", "member": member.pk if member else None},
    )
    sent = member is not None and send_password_sms(
        user=user, member=member, password=password, reason="已开通", key=f"account-created:{user.pk}"
    )
    return user, "" if sent else password


@transaction.atomic
def set_account_active(*, actor: Actor, user: User, active: bool) -> User:
    """Disable (停用) or enable (启用) an account; a disabled account cannot log in or use its tokens."""
    require_system_admin(actor)
    _not_self(actor, user)
    if user.is_active == active:
        return user
    user.is_active = active
    # Re-enabling a dormant account restarts its dormancy clock (accounts.housekeeping).
    user.last_login = timezone.now() if active else user.last_login
    user.save(update_fields=["is_active", "last_login"])
    if not active:
        ApiToken.objects.filter(user=user).delete()
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=user,
        summary={"is_active": [not active, active], "via": "user_admin"},
    )
    return user


@transaction.atomic
def reset_password(*, actor: Actor, user: User) -> str:
    """A new initial password: by SMS when the account is a member's with a phone (returns ""), else
    returned to be shown once. Every session and API token of the user stops working."""
    require_system_admin(actor)
    _not_self(actor, user)
    password = generate_initial_password()
    validate_password(password, user)
    user.set_password(password)  # the session auth hash changes: other sessions end
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    ApiToken.objects.filter(user=user).delete()
    member = user.member
    key = f"password-reset:{user.pk}:{secrets.token_hex(8)}"
    sent = member is not None and send_password_sms(
        user=user, member=member, password=password, reason="密码已重置", key=key
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=user,
        summary={"password": "reset", "delivery": "sms" if sent else "shown_once", "via": "user_admin"},
    )
    return "" if sent else password


@transaction.atomic
def grant_role_on_node(*, actor: Actor, user: User, org: Organization, role: str) -> RoleGrant:
    """The security administrator grants `role` on `org` (三员分立 is checked by grant_role)."""
    require_security_admin(actor)
    _not_self(actor, user)
    if role not in Role.values:
        raise ValidationError({"role": ["角色无效"]})
    if RoleGrant.objects.filter(user=user, org=org, role=role).exists():
        raise ValidationError({"role": ["该用户在此组织已有该角色"]})
    return grant_role(actor=actor, user=user, org=org, role=role)  # type: ignore[arg-type]


@transaction.atomic
def revoke_role(*, actor: Actor, grant: RoleGrant) -> None:
    """The security administrator revokes a grant. A grant implied by a current post is granted again by
    the next provisioning run: to take it for good, end the post (which revokes it too)."""
    require_security_admin(actor)
    _not_self(actor, grant.user)
    record_event(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        target=grant,
        org=grant.org,
        summary={"role": grant.role, "user": grant.user.get_username(), "via": "user_admin"},
    )
    grant.delete()
    forget_scope(grant.user)
