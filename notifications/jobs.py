"""Scheduled jobs of the outbox (listed by ops.schedule): message delivery every minute, and every five
minutes the reclaiming of tasks a dead worker left RUNNING."""

from __future__ import annotations

import datetime as dt

from notifications.scheduler import Job, Slot
from notifications.tasks import deliver_due_messages, reclaim_abandoned_tasks


def delivery(now: dt.datetime) -> list[Slot]:
    return [Slot("deliver_messages", f"{now:%Y-%m-%dT%H:%M}", deliver_due_messages)]


def reclaim(now: dt.datetime) -> list[Slot]:
    slot = now.replace(minute=now.minute - now.minute % 5)
    return [Slot("reclaim_tasks", f"{slot:%Y-%m-%dT%H:%M}", reclaim_abandoned_tasks)]


JOBS: list[Job] = [delivery, reclaim]
