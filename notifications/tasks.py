"""Background tasks of the outbox (django_tasks; the database backend's workers run `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from notifications import services


@task()
def deliver_due_messages() -> str:
    """Send every due SMS of the outbox."""
    return str(services.deliver_due_messages())


@task()
def reclaim_abandoned_tasks() -> str:
    """Fail the tasks a dead worker left RUNNING past their lease (and enqueue delivery again)."""
    reclaimed = services.reclaim_abandoned_tasks()
    return f"已回收中断的任务 {len(reclaimed)} 个"
