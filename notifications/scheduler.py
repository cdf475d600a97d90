"""A small cron-style scheduler: each minute, enqueue the jobs that are due, once per slot.

It knows no app by name. Each app declares its own jobs in its `jobs.py` (a list of functions from the
local time to the slots due then, each naming its task object); `ops.schedule` lists them by import and
runs this engine (`manage.py run_scheduler`).

A job is due for the whole rest of its slot (a scheduler started at 09:20 still sends the 09:00
reminders). Each enqueue first inserts a ScheduledRun row with a unique (job, run_key) in the same
transaction: with several schedulers running, only the one whose insert succeeds enqueues.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from notifications.models import ScheduledRun

logger = logging.getLogger("xianfeng.scheduler")


@dataclass(frozen=True)
class Slot:
    job: str
    run_key: str
    task: Task[Any, Any]
    args: tuple[Any, ...] = ()

    @property
    def task_path(self) -> str:
        return self.task.module_path


Job = Callable[[dt.datetime], list[Slot]]


def due_slots(now: dt.datetime, jobs: Iterable[Job]) -> list[Slot]:
    local = timezone.localtime(now)
    out: list[Slot] = []
    for job in jobs:
        out.extend(job(local))
    return out


def enqueue_slot(slot: Slot, now: dt.datetime) -> bool:
    """Claim the slot and enqueue its task; False when another scheduler already did."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=slot.job, run_key=slot.run_key, created_at=now)
            result = slot.task.enqueue(*slot.args)
            run.task_id = str(getattr(result, "id", ""))[:64]
            run.save(update_fields=["task_id"])
    except IntegrityError:
        return False
    return True


def tick(jobs: Iterable[Job], now: dt.datetime | None = None) -> list[Slot]:
    """One scheduler round: enqueue every due slot not yet taken; returns those this call enqueued."""
    now = now or timezone.now()
    done = []
    for slot in due_slots(now, jobs):
        if ScheduledRun.objects.filter(job=slot.job, run_key=slot.run_key).exists():
            continue
        if enqueue_slot(slot, now):
            logger.info("enqueued %s %s", slot.job, slot.run_key)
            done.append(slot)
    return done


# The outbox's own jobs (notifications.jobs), whose slots come every few minutes.
FREQUENT_JOBS = ("deliver_messages", "reclaim_tasks", "audit_seal")


def prune(before: dt.datetime) -> int:
    """Forget old slots of the frequent jobs (they are only needed while a slot can still be raced)."""
    deleted, _ = ScheduledRun.objects.filter(job__in=FREQUENT_JOBS, created_at__lt=before).delete()
    return deleted
