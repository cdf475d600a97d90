"""Scheduled jobs of 信息报送 (listed by ops.schedule)."""

from __future__ import annotations

import datetime as dt

from bulletins.tasks import quota_reminders_task
from notifications.scheduler import Job, Slot


def quota_reminders(now: dt.datetime) -> list[Slot]:
    """信息报送提醒: Thursdays from 09:00, so a 信息员 behind has the rest of the week to submit."""
    if now.weekday() == 3 and now.time() >= dt.time(9, 0):
        day = now.date().isoformat()
        return [Slot("bulletins_quota_reminders", day, quota_reminders_task, (day,))]
    return []


JOBS: list[Job] = [quota_reminders]
