"""Users, their second factor and login attempts (role grants live with the tree: orgs.models.RoleGrant)."""

from django.contrib.auth.models import AbstractUser
from django.db import models


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
