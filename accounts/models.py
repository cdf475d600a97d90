"""Users, their second factor, API tokens and login attempts (role grants live with the tree: orgs.models.RoleGrant)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

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
    # Bumped whenever what the user may see changes (a grant, a permission, the account itself): the access
    # context kept in the session (accounts.context) is rebuilt when its version differs from this.
    access_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["username"]
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Any change to the account (active, superuser, member, password…) invalidates the cached context.
        # Incremented in the database, not from this instance's copy, which may be older than a bump.
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        self.access_version = models.F("access_version") + 1  # type: ignore[assignment]
        update_fields = kwargs.get("update_fields")
        if update_fields:
            kwargs["update_fields"] = {*update_fields, "access_version"}
        try:
            super().save(*args, **kwargs)
        finally:
            del self.__dict__["access_version"]  # deferred: read again when next asked for


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


class ProvisioningRun(models.Model):
    """One bulk provisioning of accounts (accounts.services.provisioning), run as a task with progress.

    The initial passwords of a sealed-list run are kept only until the list is downloaded once: `slips`
    holds them SM4-encrypted (one token per committed chunk), and the download wipes them.
    """

    class Source(models.TextChoices):
        POSTS = "posts", "按职务（书记、组织委员、联系人）"
        MEMBERS = "members", "按党员（每名党员一个账号）"

    class Delivery(models.TextChoices):
        SMS = "sms", "短信发送（无手机号的打印密封清单）"
        PDF = "pdf", "打印密封清单（PDF）"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "未开通（有错误）"

    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="组织"
    )
    source = models.CharField("来源", max_length=8, choices=Source.choices)
    delivery = models.CharField("送达方式", max_length=8, choices=Delivery.choices)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField("总数", default=0)
    processed = models.PositiveIntegerField("已处理", default=0)
    accounts_created = models.PositiveIntegerField("新开账号", default=0)
    grants_created = models.PositiveIntegerField("新增授权", default=0)
    grants_revoked = models.PositiveIntegerField("撤销授权", default=0)
    sms_queued = models.PositiveIntegerField("短信", default=0)
    slip_count = models.PositiveIntegerField("清单人数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    slips = models.JSONField(default=list, blank=True, editable=False)
    slips_downloaded_at = models.DateTimeField("清单下载时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "批量开通账号"
        verbose_name_plural = "批量开通账号"

    def __str__(self) -> str:
        return f"批量开通 #{self.pk} {self.get_source_display()}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.processed * 100 / self.total)
