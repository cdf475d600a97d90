"""Every app's scheduled jobs, listed by import: the one place that knows which apps have jobs.

`manage.py run_scheduler` ticks notifications.scheduler with this list every minute; see each app's
jobs.py for its own times.
"""

from __future__ import annotations

import datetime as dt

from accounts import jobs as accounts_jobs
from bulletins import jobs as bulletins_jobs
from development import jobs as development_jobs
from learning import jobs as learning_jobs
from notifications import jobs as notifications_jobs
from notifications import scheduler
from notifications.scheduler import Job, Slot
from ops import jobs as ops_jobs
from orglife import jobs as orglife_jobs
from points import jobs as points_jobs
from quizzes import jobs as quizzes_jobs

JOBS: list[Job] = [
    *notifications_jobs.JOBS,
    *orglife_jobs.JOBS,
    *accounts_jobs.JOBS,
    *points_jobs.JOBS,
    *development_jobs.JOBS,
    *learning_jobs.JOBS,
    *quizzes_jobs.JOBS,
    *bulletins_jobs.JOBS,
    *ops_jobs.JOBS,
]


def due_slots(now: dt.datetime) -> list[Slot]:
    return scheduler.due_slots(now, JOBS)


def tick(now: dt.datetime | None = None) -> list[Slot]:
    return scheduler.tick(JOBS, now)
