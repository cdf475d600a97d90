"""The append-only audit trail (留痕). Database triggers refuse UPDATE and DELETE on this table."""

from django.db import models


class AuditEvent(models.Model):
    """One thing that happened: a login, a write, an export, an unmasking."""

    class Action(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出"
        PASSWORD_CHANGE = "password_change", "修改密码"
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        IMPORT = "import", "导入"
        EXPORT = "export", "导出"
        UNMASK = "unmask", "查看完整个人信息"
        GRANT = "grant", "授权"
        PURGE = "purge", "清理过期审计记录"

    created_at = models.DateTimeField("时间", db_index=True)
    # Plain ids, not foreign keys: deleting a user or organization must never touch audit rows.
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True, db_index=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    org_id = models.BigIntegerField("组织ID", null=True, blank=True)
    org_path = models.CharField("组织路径", max_length=252, blank=True)
    action = models.CharField("操作", max_length=24, choices=Action.choices)
    target_type = models.CharField("对象类型", max_length=60, blank=True)
    target_id = models.CharField("对象ID", max_length=64, blank=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    summary = models.JSONField("摘要", default=dict, blank=True)
    # HMAC-SM3 over this row's content and the previous row's chain_hmac (audit.chain); "" until sealed
    # (PostgreSQL: the sealer chains committed rows after the writing transaction, audit.chain.seal).
    chain_hmac = models.CharField("链式校验值", max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        # Every index is one more write per audit row, inside the business transaction. org_path and action
        # have plain b-tree indexes only (Meta.indexes): db_index=True on a CharField also made PostgreSQL a
        # varchar_pattern_ops twin of each, for LIKE 'prefix%' that nothing runs (subtrees are ranges).
        # Used: created_at (the list's order, date filters), org_path (an auditor's subtree, the list's count),
        # action (the count of a filtered list; the purges verify reads), actor_id (account events of a
        # subtree's users), target (a record's history, orglife's patrol page). Migration 0005.
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["org_path"], name="audit_org_path_idx"),
            models.Index(fields=["action"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.target_repr}"


class AuditAnchor(models.Model):
    """Where the chain starts after a purge (audit_purge): the HMAC of the last purged row."""

    created_at = models.DateTimeField("时间")
    last_purged_id = models.BigIntegerField("最后清理的记录ID")
    last_purged_hmac = models.CharField("其链式校验值", max_length=64)
    purged_count = models.BigIntegerField("清理条数")
    retention_days = models.IntegerField("保留天数")

    class Meta:
        ordering = ["-id"]
        verbose_name = "审计链锚点"
        verbose_name_plural = "审计链锚点"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} ≤{self.last_purged_id}"


class AuditChainHead(models.Model):
    """How far the sealer has chained (PostgreSQL): every row up to `sealed_id` carries its chain value.

    One row, written by audit.chain.seal in the transaction that seals, so a sealed row whose chain value
    was blanked afterwards (to look unsealed and be sealed again with other content) is reported by verify.
    """

    sealed_id = models.BigIntegerField("已封存至记录ID", default=0)
    updated_at = models.DateTimeField("时间", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "审计链封存进度"
        verbose_name_plural = "审计链封存进度"

    def __str__(self) -> str:
        return f"≤{self.sealed_id}"
