"""Every write of the outbox. Pages, tasks, commands and other apps (orglife, observers) call these.

- `outbox`: write messages in the caller's transaction (once per dedupe key), kick delivery on commit.
- `delivery`: send due SMS exactly once towards the provider, with retries.
- `notices`: in-site notices, and an administrator's retry of a failed SMS.
- `workers`: tasks left RUNNING by a dead worker are failed after a lease (delivery is enqueued again).
"""

from notifications.services.delivery import (
    DELIVERY_BATCH,
    Claim,
    DeliveryReport,
    backoff,
    claim,
    deliver_due_messages,
    deliver_one,
    due_ids,
)
from notifications.services.notices import inbox, mark_read, retry_failed, unread_count
from notifications.services.outbox import (
    enqueue_many,
    enqueue_message,
    plain_body,
    schedule_delivery,
    secret_body,
)
from notifications.services.workers import reclaim_abandoned_tasks

__all__ = [
    "DELIVERY_BATCH",
    "Claim",
    "DeliveryReport",
    "backoff",
    "claim",
    "deliver_due_messages",
    "deliver_one",
    "due_ids",
    "enqueue_many",
    "enqueue_message",
    "plain_body",
    "secret_body",
    "inbox",
    "mark_read",
    "reclaim_abandoned_tasks",
    "retry_failed",
    "schedule_delivery",
    "unread_count",
]
