"""The outbox: write messages in the caller's transaction, deliver them exactly once with retries.

- `enqueue_message` writes a Message row (get_or_create on dedupe_key, so writing the same message
  twice is a no-op) and, when the transaction commits, enqueues the `deliver_due_messages` task.
- `deliver_due_messages` claims due SMS rows with one conditional UPDATE carrying a random token,
  so several workers never claim the same row; a provider failure puts the row back with an
  exponential backoff (1, 2, 4 … minutes, capped), and after the last attempt marks it failed.
- In-site notices (channel "site") need no provider: they are delivered as they are written.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

import personal
from audit.models import AuditEvent
from audit.services import record_event
from notifications.backends import Sms, SmsBackend, SmsError, get_backend
from notifications.models import Message
from orgs.access import Actor

logger = logging.getLogger("xianfeng.notifications")

DELIVERY_BATCH = 200


def _kick_delivery() -> None:
    """Enqueue one delivery task (after commit). A failure here loses nothing: the scheduler sweeps too."""
    from notifications import tasks

    try:
        tasks.deliver_due_messages.enqueue()
    except Exception:  # pragma: no cover - the every-minute scheduler run picks the rows up anyway
        logger.exception("could not enqueue message delivery")


def schedule_delivery() -> None:
    """Register the delivery kick once per transaction, however many messages it writes."""
    if connection.in_atomic_block and any(
        getattr(item[1], "__name__", "") == "_kick_delivery" for item in connection.run_on_commit
    ):
        return
    transaction.on_commit(_kick_delivery)


def enqueue_message(
    *,
    channel: str,
    dedupe_key: str,
    body: str,
    recipient: Any = None,
    phone: str = "",
    phone_enc: str = "",
    phone_masked: str = "",
    recipient_name: str = "",
    org: Any = None,
    title: str = "",
) -> tuple[Message, bool]:
    """Write one message (or find the one already written under `dedupe_key`); returns (message, created).

    For SMS give `phone` (plain, encrypted here) or an already encrypted `phone_enc` with its
    `phone_masked` (e.g. Member.phone_enc), so the plain number need not be handled at all.
    """
    if channel not in Message.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    now = timezone.now()
    if phone:
        phone_enc, phone_masked = personal.encrypt(phone), personal.mask_phone(phone)
    if channel == Message.Channel.SMS and not phone_enc:
        raise ValueError("an SMS needs a phone number")
    if channel == Message.Channel.SITE and recipient is None:
        raise ValueError("an in-site notice needs a recipient user")
    site = channel == Message.Channel.SITE
    message, created = Message.objects.get_or_create(
        dedupe_key=dedupe_key[:200],
        defaults={
            "channel": channel,
            "recipient": recipient,
            "recipient_name": recipient_name or (str(recipient) if recipient is not None else ""),
            "phone_enc": phone_enc,
            "phone_masked": phone_masked,
            "org": org,
            "title": title[:120],
            "body": body,
            "status": Message.Status.SENT if site else Message.Status.PENDING,
            "sent_at": now if site else None,
            "next_attempt_at": now,
            "created_at": now,
        },
    )
    if created and not site:
        schedule_delivery()
    return message, created


def enqueue_many(specs: list[dict[str, Any]]) -> list[Message]:
    """Bulk `enqueue_message` for jobs writing thousands of messages (e.g. reminders for a county).

    Each spec takes enqueue_message's keyword arguments. Keys already in the outbox are skipped, and
    the insert ignores conflicts, so two concurrent runs still write each message once. Returns the
    messages that were new.
    """
    now = timezone.now()
    keys = [spec["dedupe_key"][:200] for spec in specs]
    existing: set[str] = set()
    for i in range(0, len(keys), 500):
        existing.update(
            Message.objects.filter(dedupe_key__in=keys[i : i + 500]).values_list("dedupe_key", flat=True)
        )
    rows: list[Message] = []
    seen: set[str] = set()
    for spec, key in zip(specs, keys, strict=True):
        if key in existing or key in seen:
            continue
        seen.add(key)
        channel = spec["channel"]
        site = channel == Message.Channel.SITE
        phone = spec.get("phone", "")
        phone_enc = personal.encrypt(phone) if phone else spec.get("phone_enc", "")
        phone_masked = personal.mask_phone(phone) if phone else spec.get("phone_masked", "")
        if not site and not phone_enc:
            continue
        recipient = spec.get("recipient")
        rows.append(
            Message(
                channel=channel,
                dedupe_key=key,
                recipient=recipient,
                recipient_name=spec.get("recipient_name")
                or (str(recipient) if recipient is not None else ""),
                phone_enc=phone_enc,
                phone_masked=phone_masked,
                org=spec.get("org"),
                title=spec.get("title", "")[:120],
                body=spec["body"],
                status=Message.Status.SENT if site else Message.Status.PENDING,
                sent_at=now if site else None,
                next_attempt_at=now,
                created_at=now,
            )
        )
    Message.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    if any(row.channel == Message.Channel.SMS for row in rows):
        schedule_delivery()
    return rows


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


# -- in-site notices ------------------------------------------------------------------------------


def inbox(user: Any) -> QuerySet[Message]:
    return Message.objects.filter(recipient=user, channel=Message.Channel.SITE)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox(user).filter(read_at__isnull=True).count()


@transaction.atomic
def mark_read(*, actor: Actor, message_ids: list[int] | None = None) -> int:
    """Mark the actor's own notices read (all unread ones when no ids are given)."""
    qs = inbox(actor).filter(read_at__isnull=True)
    if message_ids is not None:
        qs = qs.filter(pk__in=message_ids)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def retry_failed(*, actor: Actor, message: Message) -> Message:
    """An administrator puts a failed SMS back in the queue (attempts start again)."""
    if message.status != Message.Status.FAILED:
        return message
    now = timezone.now()
    Message.objects.filter(pk=message.pk, status=Message.Status.FAILED).update(
        status=Message.Status.PENDING, attempts=0, next_attempt_at=now, claimed_until=None, claim_token=""
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=message,
        org=message.org,
        summary={
            "event": "notifications.retry",
            "to": message.phone_masked,
            "last_error": message.last_error[:200],
        },
    )
    schedule_delivery()
    message.refresh_from_db()
    return message
