"""Users, role grants on organization nodes, and login attempts."""

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


class Role(models.TextChoices):
    DEPT_ADMIN = "dept_admin", "组织部管理员"
    COMMITTEE_ADMIN = "committee_admin", "党(工)委管理员"
    BRANCH_SECRETARY = "branch_secretary", "支部书记"
    BRANCH_ADMIN = "branch_admin", "支部管理员"
    BRANCH_CONTACT = "branch_contact", "组织委员/联系人"
    SCOREKEEPER = "scorekeeper", "计分员"
    OBSERVER = "observer", "观察员"
    PATROL = "patrol", "巡查员"
    INFO_OFFICER = "info_officer", "信息员"
    EDITOR = "editor", "编辑"
    VIEWER = "viewer", "只读查看员"
    AUDITOR = "auditor", "审计员"
    MEMBER = "member", "党员"
    # 三员分立: system-wide roles, whatever node the grant names (see accounts.duties).
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


# Roles that may change organizations and members in their subtree; every other role reads only.
WRITE_ROLES = frozenset({Role.DEPT_ADMIN, Role.COMMITTEE_ADMIN, Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN})
# A member sees only their own file, not the organization's lists. An observer's reach comes from
# their confirmed assignments (observers.Assignment), which cut across the tree, not from a grant.
NO_TREE_ROLES = frozenset({Role.MEMBER, Role.OBSERVER})


class RoleGrant(models.Model):
    """A role held on an organization node; it covers the node's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name="用户")
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="grants", verbose_name="组织"
    )
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "role"]
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    def clean(self) -> None:
        # 三员分立 also holds for grants made in the admin (accounts.duties).
        from accounts.duties import check_separation

        if self.user_id and self.role:
            check_separation(self.user, self.role)


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
    """A user's authenticator (TOTP, RFC 6238); the secret is stored SM4-encrypted (orgs.personal)."""

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
