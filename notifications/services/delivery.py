"""Delivering the outbox: due SMS rows are claimed with a conditional UPDATE carrying a random token,
so several workers never claim the same row; a provider failure puts the row back with an exponential
backoff (1, 2, 4 … minutes, capped), and after the last attempt marks it failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

import personal
from notifications.backends import Sms, SmsBackend, SmsError, get_backend
from notifications.models import Message

logger = logging.getLogger("xianfeng.notifications")

DELIVERY_BATCH = 200


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after `attempts` failed ones: 1, 2, 4, 8 … minutes, capped."""
    minutes = min(2 ** max(attempts - 1, 0), settings.XIANFENG_SMS_BACKOFF_CAP_MINUTES)
    return dt.timedelta(minutes=minutes)


def _claimable(now: dt.datetime) -> Q:
    fresh = Q(status=Message.Status.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    # A worker that died while sending leaves its claim to expire; the row is then tried again.
    stale = Q(status=Message.Status.SENDING, claimed_until__lt=now)
    return Q(channel=Message.Channel.SMS) & (fresh | stale)


def claim_due(now: dt.datetime | None = None, limit: int = DELIVERY_BATCH) -> tuple[str, list[Message]]:
    """Claim up to `limit` due SMS rows for this worker; returns the claim token and the rows."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    ids = list(
        Message.objects.filter(_claimable(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return token, []
    until = now + dt.timedelta(minutes=settings.XIANFENG_SMS_CLAIM_MINUTES)
    # The condition is evaluated again inside the UPDATE: a row another worker claimed meanwhile is skipped.
    Message.objects.filter(_claimable(now), id__in=ids).update(
        status=Message.Status.SENDING, claimed_until=until, claim_token=token
    )
    return token, list(
        Message.objects.filter(claim_token=token, status=Message.Status.SENDING).order_by("id")
    )


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"已发送 {self.sent} 条，待重试 {self.retried} 条，失败 {self.failed} 条"


def _finish(message: Message, token: str, **fields: Any) -> None:
    fields.update(claimed_until=None, claim_token="")
    Message.objects.filter(pk=message.pk, claim_token=token).update(**fields)


def deliver_one(message: Message, token: str, backend: SmsBackend, now: dt.datetime) -> str:
    """Send one claimed message; returns 'sent', 'retried' or 'failed'."""
    attempts = message.attempts + 1
    try:
        phone = personal.decrypt(message.phone_enc)
        provider_id = backend.send(
            Sms(phone=phone, body=message.body, dedupe_key=message.dedupe_key, message_id=message.pk)
        )
    except SmsError as exc:
        error = str(exc)[:1000]
        if attempts >= settings.XIANFENG_SMS_MAX_ATTEMPTS:
            _finish(message, token, status=Message.Status.FAILED, attempts=attempts, last_error=error)
            logger.warning("message %s failed after %s attempts: %s", message.pk, attempts, error)
            return "failed"
        _finish(
            message,
            token,
            status=Message.Status.PENDING,
            attempts=attempts,
            last_error=error,
            next_attempt_at=now + backoff(attempts),
        )
        return "retried"
    _finish(
        message,
        token,
        status=Message.Status.SENT,
        attempts=attempts,
        provider_id=(provider_id or "")[:80],
        sent_at=timezone.now(),
        last_error="",
    )
    return "sent"


def deliver_due_messages(
    *, now: dt.datetime | None = None, backend: SmsBackend | None = None, max_batches: int = 50
) -> DeliveryReport:
    """Send every due SMS, batch by batch (each batch claimed atomically)."""
    backend = backend or get_backend()
    report = DeliveryReport()
    for _ in range(max_batches):
        current = now or timezone.now()
        token, batch = claim_due(current)
        if not batch:
            break
        for message in batch:
            outcome = deliver_one(message, token, backend, current)
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report
