"""Scheduled jobs of the outbox (listed by ops.schedule): message delivery, every minute."""

from __future__ import annotations

import datetime as dt

from notifications.scheduler import Job, Slot
from notifications.tasks import deliver_due_messages


def delivery(now: dt.datetime) -> list[Slot]:
    return [Slot("deliver_messages", f"{now:%Y-%m-%dT%H:%M}", deliver_due_messages)]


JOBS: list[Job] = [delivery]
