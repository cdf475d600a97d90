"""Tasks abandoned by a dead worker.

django-tasks' database worker marks a task RUNNING when it takes it, and finished when done; a worker
killed in between (kill -9, a lost host) leaves it RUNNING forever, and no worker takes it again. Past
a lease (XIANFENG_TASK_LEASE_SECONDS, longer than any task runs) such a task is marked failed. When it
was the SMS delivery a new delivery is enqueued: delivery is safe to run twice, each message being
claimed, and verified with the provider when its worker died mid-send.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from notifications.services.outbox import schedule_delivery

logger = logging.getLogger("xianfeng.notifications")

DELIVERY_TASK = "notifications.tasks.deliver_due_messages"


class WorkerLost(Exception):
    """Recorded as the failure of a task whose worker vanished while running it."""


def reclaim_abandoned_tasks(*, now: dt.datetime | None = None) -> list[str]:
    """Mark tasks left RUNNING past the lease as failed; returns their task paths."""
    now = now or timezone.now()
    lease = settings.XIANFENG_TASK_LEASE_SECONDS
    cutoff = now - dt.timedelta(seconds=lease)
    error = WorkerLost(f"执行该任务的工作进程已中断：{lease} 秒内未完成，任务标记为失败")
    reclaimed: list[str] = []
    for task_id, task_path in (
        DBTaskResult.objects.running().filter(started_at__lt=cutoff).values_list("id", "task_path")
    ):
        # Conditional on still RUNNING: a worker finishing it meanwhile keeps its own outcome.
        if DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback="".join(traceback.format_exception_only(error)),
        ):
            logger.warning("task %s (%s) abandoned by its worker: marked failed", task_id, task_path)
            reclaimed.append(task_path)
    if DELIVERY_TASK in reclaimed:
        schedule_delivery()
    return reclaimed
