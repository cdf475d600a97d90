"""Scheduled jobs of the quizzes (listed by ops.schedule)."""

from __future__ import annotations

import datetime as dt

from notifications.scheduler import Job, Slot
from quizzes.tasks import close_due_attempts_task


def close_due_attempts(now: dt.datetime) -> list[Slot]:
    """Every minute the scheduler ticks: close open attempts past their deadline, so a member who left
    the page still gets a score. (Each page or answer of the attempt closes it on the spot as well.)"""
    minute = now.strftime("%Y-%m-%dT%H:%M")
    return [Slot("quizzes_close_due_attempts", minute, close_due_attempts_task, (minute,))]


JOBS: list[Job] = [close_due_attempts]
