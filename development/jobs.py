"""Scheduled jobs of member development (listed by ops.schedule), by local time:
- 到期提醒: daily from 08:30 (the digest of deadlines due within 7 days or overdue, escalating)."""

from __future__ import annotations

import datetime as dt

from development.tasks import send_reminders_task
from notifications.scheduler import Job, Slot


def reminders(now: dt.datetime) -> list[Slot]:
    if now.time() >= dt.time(8, 30):
        return [
            Slot(
                "development_reminders",
                now.date().isoformat(),
                send_reminders_task,
                (now.date().isoformat(),),
            )
        ]
    return []


JOBS: list[Job] = [reminders]
