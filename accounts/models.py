"""Users, their second factor, API tokens and login attempts (role grants live with the tree: orgs.models.RoleGrant)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    """A person who logs in. Roles come from RoleGrant rows, each covering a subtree."""

    display_name = models.CharField("姓名", max_length=40, blank=True)
    must_change_password = models.BooleanField("须修改初始密码", default=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    member = models.OneToOneField(
        "orgs.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name="对应党员",
    )

    class Meta:
        ordering = ["username"]
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class LoginAttempt(models.Model):
    """One login try; recent failures per username and per IP drive the lockout."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["ip", "created_at"], name="loginattempt_ip_idx")]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {'ok' if self.succeeded else 'fail'}"


class TOTPDevice(models.Model):
    """A user's authenticator (TOTP, RFC 6238); the secret is stored SM4-encrypted (personal)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp", verbose_name="用户")
    secret_encrypted = models.TextField()
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    # The newest time step a code was accepted for: codes of that step or older are replays.
    last_step = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "双因素认证设备"
        verbose_name_plural = "双因素认证设备"

    def __str__(self) -> str:
        return f"{self.user} TOTP{'' if self.confirmed_at else '（未启用）'}"


class RecoveryCode(models.Model):
    """A one-time recovery code, stored hashed (like a password)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def __str__(self) -> str:
        return f"{self.user} 恢复码{'（已用）' if self.used_at else ''}"


def live_tokens_q(now: dt.datetime, prefix: str = "") -> models.Q:
    """Tokens neither past their absolute expiry nor idle longer than API_TOKEN_IDLE_MINUTES."""
    idle_since = now - dt.timedelta(minutes=settings.API_TOKEN_IDLE_MINUTES)
    used = models.Q(**{f"{prefix}last_used_at__gt": idle_since})
    fresh = models.Q(**{f"{prefix}created_at__gt": idle_since})
    return models.Q(**{f"{prefix}expires_at__gt": now}) & (used | fresh)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self, now: dt.datetime) -> ApiTokenQuerySet:
        return self.filter(live_tokens_q(now))


class ApiToken(models.Model):
    """An API token (`Authorization: Token <key>`): a session without a cookie, with the same limits.

    Only the SHA-256 of the key is stored (the key is 160 random bits, so a plain hash suffices); the key
    itself is shown once, to the client that asked for it. It stops working at `expires_at` or after
    API_TOKEN_IDLE_MINUTES without use; `last_used_at` is written at most once a minute.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("到期时间")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} 接口令牌 #{self.pk}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def idle_deadline(self) -> dt.datetime:
        last = max(self.created_at, self.last_used_at or self.created_at)
        return last + dt.timedelta(minutes=settings.API_TOKEN_IDLE_MINUTES)

    @property
    def ends_at(self) -> dt.datetime:
        """When the token stops working if it is not used again."""
        return min(self.expires_at, self.idle_deadline)
