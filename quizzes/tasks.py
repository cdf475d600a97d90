"""Scheduled quiz work as django_tasks tasks (run by `manage.py db_worker`, enqueued by run_scheduler)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from quizzes.defaults import AUTO_SUBMIT_SWEEP_SECONDS
from quizzes.services import close_due_attempts


@task()
def sweep_due_attempts_task() -> str:
    """One sweep between the minute's: close the attempts whose time is up (safe to run twice)."""
    return f"{close_due_attempts()} attempts closed"


@task()
def close_due_attempts_task(minute: str) -> str:
    """The minute's sweep (the minute is the run key), which also queues the sweeps due later in the
    minute (every AUTO_SUBMIT_SWEEP_SECONDS), so an attempt left open is closed within that many seconds
    of its deadline plus the worker's poll, although the scheduler ticks once a minute."""
    closed = close_due_attempts()
    now = timezone.now()
    for later in range(AUTO_SUBMIT_SWEEP_SECONDS, 60, AUTO_SUBMIT_SWEEP_SECONDS):
        sweep_due_attempts_task.using(run_after=now + dt.timedelta(seconds=later)).enqueue()
    return f"{closed} attempts closed"
