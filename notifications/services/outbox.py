"""Writing the outbox: a message is a row written in the caller's transaction, once per dedupe key.

`enqueue_message` writes a Message row (get_or_create on dedupe_key, so writing the same message twice
is a no-op) and, when the transaction commits, enqueues the `deliver_due_messages` task. In-site
notices (channel "site") need no provider: they are delivered as they are written.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

import personal
from notifications.models import Message

logger = logging.getLogger("xianfeng.notifications")


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


def secret_body(text: str) -> str:
    """A message body holding a secret: encrypted at rest, decrypted only to send (Message.SECRET_PREFIX)."""
    return Message.SECRET_PREFIX + personal.encrypt(text)


def plain_body(message: Message) -> str:
    """The text to send to the provider."""
    return (
        personal.decrypt(message.body.removeprefix(Message.SECRET_PREFIX))
        if message.is_secret
        else message.body
    )


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
