"""Scheduled jobs of 学习教育 (listed by ops.schedule), by local time:
- 必看提醒: daily from 09:00 (branches with members who have not finished a 必看 video due within the
  configured days get one digest per video)."""

from __future__ import annotations

import datetime as dt

from learning.tasks import send_watch_reminders_task
from notifications.scheduler import Job, Slot


def watch_reminders(now: dt.datetime) -> list[Slot]:
    if now.time() >= dt.time(9, 0):
        day = now.date().isoformat()
        return [Slot("learning_watch_reminders", day, send_watch_reminders_task, (day,))]
    return []


JOBS: list[Job] = [watch_reminders]
