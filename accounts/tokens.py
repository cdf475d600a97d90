"""API tokens: issue, check (absolute expiry, idle timeout, last use), revoke; the DRF authentication class.

A token is a session without a cookie, so it gets a session's limits (等保三级 身份鉴别: 登录连接超时自动退出):
it dies API_TOKEN_HOURS after it was issued, and API_TOKEN_IDLE_MINUTES after its last use. An expired
token is deleted when it is next presented (audited once, like an idle web session's logout).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.models import ApiToken, User
from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import Actor, is_security_admin

INVALID = "令牌无效或已失效，请重新获取"
EXPIRED = "令牌已过期，请重新获取"
IDLE = "令牌长时间未使用已失效，请重新获取"
INACTIVE = "账号已停用"
# last_used_at is rewritten at most once a minute, so most API calls write nothing; the idle timeout can
# then come up to a minute early, never late (as for web sessions: accounts.middleware).
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


def issue(*, user: User) -> tuple[ApiToken, str]:
    """A new token for the user and its key (shown once; only its hash is kept). Dead tokens are cleared."""
    now = timezone.now()
    ApiToken.objects.filter(user=user).exclude(pk__in=ApiToken.objects.live(now).values("pk")).delete()
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        key_hash=ApiToken.hash(key),
        created_at=now,
        expires_at=now + dt.timedelta(hours=settings.API_TOKEN_HOURS),
    )
    return token, key


def check(key: str) -> ApiToken:
    """The live token for `key`, its last use noted (at most once a minute); else AuthenticationFailed."""
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(key)).first()
    if token is None:
        raise exceptions.AuthenticationFailed(INVALID)
    if not token.user.is_active:
        raise exceptions.AuthenticationFailed(INACTIVE)
    now = timezone.now()
    reason = (
        "token_expired" if token.expires_at <= now else "token_idle" if token.idle_deadline <= now else ""
    )
    if reason:
        _expire(token, reason)
        raise exceptions.AuthenticationFailed(EXPIRED if reason == "token_expired" else IDLE)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so concurrent requests of the same minute write once.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def _expire(token: ApiToken, reason: str) -> None:
    deleted, _ = ApiToken.objects.filter(pk=token.pk).delete()
    if deleted:  # two requests racing on one expired token audit it once
        summary = {"channel": "api", "reason": reason, "token": token.pk}
        record_event(actor=token.user, action=AuditEvent.Action.LOGOUT, summary=summary)


@transaction.atomic
def revoke_all(*, actor: Actor, user: User) -> int:
    """Revoke every API token of `user`: the user themself, or the 安全管理员 for another user."""
    if actor.pk != user.pk and not is_security_admin(actor):
        raise PermissionDenied("只有安全管理员可以吊销他人的接口令牌")
    revoked, _ = ApiToken.objects.filter(user=user).delete()
    if actor.pk == user.pk:
        summary: dict[str, Any] = {"channel": "api", "reason": "revoked", "tokens": revoked}
        record_event(actor=actor, action=AuditEvent.Action.LOGOUT, target=user, summary=summary)
    else:
        summary = {"security": "revoke_tokens", "tokens": revoked}
        record_event(actor=actor, action=AuditEvent.Action.UPDATE, target=user, summary=summary)
    return revoked


@transaction.atomic
def revoke_own(*, user: User, pk: int) -> None:
    """Revoke one of the user's own tokens; someone else's (or a missing one) is a 404."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=pk).delete()
    if not deleted:
        raise Http404("未找到该令牌")
    summary = {"channel": "api", "reason": "revoked", "token": pk}
    record_event(actor=user, action=AuditEvent.Action.LOGOUT, target=user, summary=summary)


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` against ApiToken (hashed keys, expiry, idle timeout)."""

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = check(key)
        return token.user, token
