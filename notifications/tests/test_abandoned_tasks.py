"""Tasks a killed worker left RUNNING are failed after a lease, and the SMS delivery is enqueued again."""

import datetime as dt

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from notifications import services, tasks
from notifications.models import ScheduledRun
from notifications.scheduler import prune
from ops import schedule

NOW = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
SH = dt.timezone(dt.timedelta(hours=8))


def running(task, started_at):
    """A task a worker took at `started_at` (the worker's own claim: status and start time)."""
    result = task.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(status=TaskResultStatus.RUNNING, started_at=started_at)
    return DBTaskResult.objects.get(id=result.id)


@pytest.fixture
def lease(settings):
    settings.XIANFENG_TASK_LEASE_SECONDS = 600
    return dt.timedelta(seconds=600)


def test_the_service_names_the_delivery_task_by_its_real_path(db):
    assert tasks.deliver_due_messages.module_path == services.workers.DELIVERY_TASK


def test_a_task_running_past_its_lease_is_marked_failed_and_delivery_enqueued_again(
    db, lease, django_capture_on_commit_callbacks
):
    dead = running(tasks.deliver_due_messages, NOW - lease - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reclaim_abandoned_tasks(now=NOW) == [tasks.deliver_due_messages.module_path]
    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED
    assert dead.finished_at == NOW
    assert dead.exception_class_path == "notifications.services.workers.WorkerLost"
    assert "工作进程已中断" in dead.traceback
    again = DBTaskResult.objects.filter(
        task_path=tasks.deliver_due_messages.module_path, status=TaskResultStatus.READY
    )
    assert again.count() == 1


def test_a_task_within_its_lease_and_finished_tasks_are_left_alone(
    db, lease, django_capture_on_commit_callbacks
):
    alive = running(tasks.deliver_due_messages, NOW - lease + dt.timedelta(seconds=1))
    done = running(tasks.reclaim_abandoned_tasks, NOW - dt.timedelta(days=1))
    DBTaskResult.objects.filter(id=done.id).update(status=TaskResultStatus.SUCCESSFUL)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.reclaim_abandoned_tasks(now=NOW) == []
    assert callbacks == []
    alive.refresh_from_db()
    assert alive.status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 1


def test_another_abandoned_task_is_failed_but_not_run_again(db, lease, django_capture_on_commit_callbacks):
    dead = running(tasks.reclaim_abandoned_tasks, NOW - lease * 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reclaim_abandoned_tasks(now=NOW) == [dead.task_path]
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 0


def test_the_task_runs_the_service(db, lease):
    running(tasks.reclaim_abandoned_tasks, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert tasks.reclaim_abandoned_tasks.call() == "已回收中断的任务 1 个"


def test_reclaiming_is_scheduled_every_five_minutes(db):
    def slots(when):
        return [(s.run_key, s.task_path) for s in schedule.due_slots(when) if s.job == "reclaim_tasks"]

    assert slots(dt.datetime(2026, 10, 20, 9, 4, tzinfo=SH)) == [
        ("2026-10-20T09:00", "notifications.tasks.reclaim_abandoned_tasks")
    ]
    assert slots(dt.datetime(2026, 10, 20, 9, 5, tzinfo=SH)) == [
        ("2026-10-20T09:05", "notifications.tasks.reclaim_abandoned_tasks")
    ]


def test_old_slots_of_the_frequent_jobs_are_pruned(db):
    for job in ("deliver_messages", "reclaim_tasks", "orglife_reminders"):
        ScheduledRun.objects.create(
            job=job, run_key="2026-10-19T09:00", created_at=NOW - dt.timedelta(days=2)
        )
    assert prune(NOW - dt.timedelta(days=1)) == 2
    assert list(ScheduledRun.objects.values_list("job", flat=True)) == ["orglife_reminders"]
