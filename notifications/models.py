"""The outbox: every SMS and in-site notice is a row written in the same transaction as its cause."""

from django.conf import settings
from django.db import models


class Message(models.Model):
    """One message to one recipient. `dedupe_key` makes a second write of the same message a no-op."""

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        SITE = "site", "站内通知"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        # The last call may have reached the provider (it broke off, or a worker died): the provider is
        # asked before anything is sent again.
        VERIFY = "verify", "待核实"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    dedupe_key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    recipient_name = models.CharField("接收人", max_length=40, blank=True)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField("手机号", max_length=20, blank=True)
    org = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField("标题", max_length=120, blank=True)
    body = models.TextField("内容")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    # The lease of the worker that claimed the row (status SENDING); only the holder of the token may
    # finish it. A row still SENDING past its lease is verified with the provider, not sent again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    # When the last send to the provider began: where the provider's records are searched from.
    attempted_at = models.DateTimeField("最近发送时间", null=True, blank=True)
    last_error = models.TextField(blank=True)
    provider_id = models.CharField(max_length=80, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "消息"
        verbose_name_plural = "消息"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due_idx"),
            models.Index(fields=["recipient", "channel", "read_at"], name="message_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_name or self.phone_masked}"

    # A body carrying a secret (an initial password) is stored SM4-encrypted behind this prefix: the
    # provider gets the plain text, the 短信发送记录 page never shows it.
    SECRET_PREFIX = "secret:sm4:"

    @property
    def is_secret(self) -> bool:
        return self.body.startswith(self.SECRET_PREFIX)

    @property
    def display_body(self) -> str:
        return "（含初始密码，内容加密保存，不予显示）" if self.is_secret else self.body


class ScheduledRun(models.Model):
    """One slot of a scheduled job (e.g. reminders on 2026-10-20): the unique pair lets only one
    of several schedulers enqueue it."""

    job = models.CharField(max_length=60)
    run_key = models.CharField(max_length=40)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "定时任务执行记录"
        verbose_name_plural = "定时任务执行记录"
        constraints = [models.UniqueConstraint(fields=["job", "run_key"], name="scheduledrun_unique")]

    def __str__(self) -> str:
        return f"{self.job} {self.run_key}"
