"""In-site notices (the bell) and an administrator's retry of a failed SMS."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from notifications.models import Message
from notifications.services.outbox import schedule_delivery
from orgs.access import Actor


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
    # A message that was ever attempted may have reached the provider: it is verified before a new send.
    status = Message.Status.VERIFY if message.attempted_at else Message.Status.PENDING
    Message.objects.filter(pk=message.pk, status=Message.Status.FAILED).update(
        status=status, attempts=0, next_attempt_at=now, claimed_until=None, claim_token=""
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
