"""Delivering the outbox: each SMS reaches the provider exactly once, through retries and dead workers.

One message at a time: claim → send → mark.
- Claim: one conditional UPDATE moves the row to SENDING with a random token and a lease
  (XIANFENG_SMS_LEASE_SECONDS), so two workers never hold the same row.
- Send, with the message's out-id (its dedupe key), which the provider keeps with the message.
- Mark SENT, only while still holding the token.
A provider's refusal puts the row back in PENDING with an exponential backoff (1, 2, 4 … minutes,
capped), and after the last attempt marks it failed. But a row that may have reached the provider — its
worker died while it was SENDING (the lease ran out), or the call broke off without an answer (VERIFY) —
is never sent blindly again: the provider is asked for the out-id first (`SmsBackend.lookup`), and the
row is marked SENT if the provider has it, sent only if the provider has no record.
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
from notifications.backends import Sms, SmsBackend, SmsDuplicate, SmsError, SmsUncertain, get_backend
from notifications.models import Message
from notifications.services.outbox import plain_body

logger = logging.getLogger("xianfeng.notifications")

DELIVERY_BATCH = 200


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after `attempts` failed ones: 1, 2, 4, 8 … minutes, capped."""
    minutes = min(2 ** max(attempts - 1, 0), settings.XIANFENG_SMS_BACKOFF_CAP_MINUTES)
    return dt.timedelta(minutes=minutes)


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.XIANFENG_SMS_LEASE_SECONDS)


def _to_send(now: dt.datetime) -> Q:
    return Q(channel=Message.Channel.SMS, status=Message.Status.PENDING, next_attempt_at__lte=now)


def _to_verify(now: dt.datetime) -> Q:
    # A worker that died while sending leaves its lease to run out; a broken-off call waits its backoff.
    dead = Q(status=Message.Status.SENDING, claimed_until__lt=now)
    unsure = Q(status=Message.Status.VERIFY, next_attempt_at__lte=now)
    return Q(channel=Message.Channel.SMS) & (dead | unsure)


def due_ids(now: dt.datetime, limit: int = DELIVERY_BATCH) -> list[int]:
    """The ids of up to `limit` SMS rows to send or to verify now, oldest due first."""
    return list(
        Message.objects.filter(_to_send(now) | _to_verify(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


@dataclass(frozen=True)
class Claim:
    message: Message
    token: str
    verify: bool  # the last attempt may have reached the provider: ask it before sending


def claim(message_id: int, now: dt.datetime) -> Claim | None:
    """Take the row for this worker with a conditional UPDATE; None when it is not due or another has it."""
    token = secrets.token_hex(16)
    until = now + lease()
    rows = Message.objects.filter(_to_send(now), pk=message_id)
    if rows.update(status=Message.Status.SENDING, claim_token=token, claimed_until=until, attempted_at=now):
        verify = False
    elif Message.objects.filter(_to_verify(now), pk=message_id).update(
        status=Message.Status.SENDING, claim_token=token, claimed_until=until
    ):
        verify = True  # attempted_at keeps the time of the attempt that may have got through
    else:
        return None
    return Claim(Message.objects.get(pk=message_id), token, verify)


def _finish(held: Claim, **fields: Any) -> bool:
    fields.update(claimed_until=None, claim_token="")
    done = Message.objects.filter(pk=held.message.pk, claim_token=held.token).update(**fields)
    if not done:  # the lease ran out mid-call and another worker took the row over
        logger.warning("message %s: claim lost before it could be marked", held.message.pk)
    return bool(done)


def _resend(held: Claim) -> bool:
    """The provider has no record: start a new attempt, still under this claim, with a fresh lease."""
    now = timezone.now()
    return bool(
        Message.objects.filter(pk=held.message.pk, claim_token=held.token).update(
            attempted_at=now, claimed_until=now + lease()
        )
    )


@dataclass
class DeliveryReport:
    sent: int = 0
    confirmed: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return (
            f"已发送 {self.sent} 条，经平台核实已发送 {self.confirmed} 条，"
            f"待重试 {self.retried} 条，失败 {self.failed} 条"
        )


def deliver_one(message_id: int, backend: SmsBackend, now: dt.datetime) -> str:
    """Claim, send (or verify) and mark one message; returns 'sent', 'confirmed', 'retried', 'failed'
    or 'skipped' (not due, or another worker has it)."""
    held = claim(message_id, now)
    if held is None:
        return "skipped"
    message = held.message
    attempts = message.attempts + 1
    maybe_sent = held.verify
    sms = Sms(
        phone=personal.decrypt(message.phone_enc),
        body=plain_body(message),
        dedupe_key=message.dedupe_key,
        message_id=message.pk,
    )
    try:
        if held.verify:
            found = backend.lookup(sms, since=message.attempted_at or message.created_at)
            if found is not None:
                logger.warning("message %s was already with the provider: marked sent", message.pk)
                _finish(
                    held,
                    status=Message.Status.SENT,
                    attempts=attempts,
                    provider_id=found[:80],
                    sent_at=message.attempted_at or now,
                    last_error="",
                )
                return "confirmed"
            maybe_sent = False
            if not _resend(held):
                return "skipped"
        provider_id = backend.send(sms)
    except SmsDuplicate as duplicate:
        _finish(
            held,
            status=Message.Status.SENT,
            attempts=attempts,
            provider_id=duplicate.provider_id[:80],
            sent_at=message.attempted_at or now,
            last_error="",
        )
        return "confirmed"
    except SmsError as exc:
        maybe_sent = maybe_sent or isinstance(exc, SmsUncertain)
        error = str(exc)[:1000]
        if attempts >= settings.XIANFENG_SMS_MAX_ATTEMPTS:
            if maybe_sent:
                error = f"无法向短信平台核实是否已发送：{error}"[:1000]
            _finish(held, status=Message.Status.FAILED, attempts=attempts, last_error=error)
            logger.warning("message %s failed after %s attempts: %s", message.pk, attempts, error)
            return "failed"
        _finish(
            held,
            status=Message.Status.VERIFY if maybe_sent else Message.Status.PENDING,
            attempts=attempts,
            last_error=error,
            next_attempt_at=now + backoff(attempts),
        )
        return "retried"
    _finish(
        held,
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
    """Send (or verify) every due SMS, one claimed message at a time."""
    backend = backend or get_backend()
    report = DeliveryReport()
    for _ in range(max_batches):
        ids = due_ids(now or timezone.now())
        if not ids:
            break
        for message_id in ids:
            outcome = deliver_one(message_id, backend, now or timezone.now())
            if outcome != "skipped":
                setattr(report, outcome, getattr(report, outcome) + 1)
    return report
