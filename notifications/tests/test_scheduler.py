"""The scheduler enqueues each job once per slot, by Asia/Shanghai time, even with several schedulers."""

import datetime as dt

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from notifications import scheduler as engine
from notifications.models import ScheduledRun
from ops import schedule as scheduler
from orglife.tasks import close_month_task

SH = dt.timezone(dt.timedelta(hours=8))


def jobs(slots):
    # The daily stats, dormant-account, task-reclaiming, development-reminder, 必看-reminder and photo-chunk
    # cleanup jobs, the hourly audit checkpoint and the audit sealer's sweep every minute, are always due;
    # they have their own tests.
    always = (
        "orglife_ensure_stats",
        "orglife_expire_uploads",
        "accounts_disable_dormant",
        "reclaim_tasks",
        "audit_checkpoint",
        "audit_seal",
        "quizzes_close_due_attempts",
        "development_reminders",
        "learning_watch_reminders",
    )
    return sorted(s.job for s in slots if s.job not in always)


def test_idle_branch_stats_are_ensured_once_a_day_from_ten_past_midnight():
    def names(when):
        return [s.job for s in scheduler.due_slots(when)]

    assert "orglife_ensure_stats" not in names(dt.datetime(2026, 10, 5, 0, 9, tzinfo=SH))
    slots = [
        s
        for s in scheduler.due_slots(dt.datetime(2026, 10, 5, 0, 10, tzinfo=SH))
        if s.job == "orglife_ensure_stats"
    ]
    assert [(s.run_key, s.args) for s in slots] == [("2026-10-05", ("2026-10",))]


@pytest.mark.django_db
def test_delivery_is_due_every_minute_and_reminders_from_nine_on_a_reminder_day():
    assert jobs(scheduler.due_slots(dt.datetime(2026, 10, 20, 8, 59, tzinfo=SH))) == ["deliver_messages"]
    slots = scheduler.due_slots(dt.datetime(2026, 10, 20, 9, 0, tzinfo=SH))
    assert jobs(slots) == ["deliver_messages", "orglife_reminders"]
    assert [s.args for s in slots if s.job == "orglife_reminders"] == [("2026-10-20",)]
    assert jobs(scheduler.due_slots(dt.datetime(2026, 10, 21, 9, 0, tzinfo=SH))) == ["deliver_messages"]


@pytest.mark.django_db
def test_the_month_close_is_due_from_one_oclock_on_the_first_for_the_previous_month():
    assert "orglife_close_month" not in jobs(scheduler.due_slots(dt.datetime(2026, 11, 1, 0, 59, tzinfo=SH)))
    (slot,) = [
        s
        for s in scheduler.due_slots(dt.datetime(2026, 11, 1, 1, 0, tzinfo=SH))
        if s.job == "orglife_close_month"
    ]
    assert slot.args == ("2026-10",)


@pytest.mark.django_db
def test_local_time_decides_not_utc():
    # 2026-10-20 01:00 UTC is 09:00 in Shanghai.
    assert "orglife_reminders" in jobs(scheduler.due_slots(dt.datetime(2026, 10, 20, 1, 0, tzinfo=dt.UTC)))


@pytest.mark.django_db
def test_two_schedulers_enqueue_a_slot_only_once():
    now = dt.datetime(2026, 10, 20, 9, 5, tzinfo=SH)
    first = scheduler.tick(now)
    second = scheduler.tick(now)  # another scheduler, same minute
    assert jobs(first) == ["deliver_messages", "orglife_reminders"]
    assert second == []
    assert DBTaskResult.objects.filter(task_path="orglife.tasks.send_reminders_task").count() == 1
    assert ScheduledRun.objects.filter(job="orglife_reminders", run_key="2026-10-20").count() == 1


@pytest.mark.django_db
def test_a_slot_already_claimed_is_not_enqueued_again_even_without_the_precheck():
    now = dt.datetime(2026, 11, 1, 1, 0, tzinfo=SH)
    slot = engine.Slot("orglife_close_month", "2026-10", close_month_task, ("2026-10",))
    assert engine.enqueue_slot(slot, now) is True
    assert engine.enqueue_slot(slot, now) is False
    assert DBTaskResult.objects.filter(task_path="orglife.tasks.close_month_task").count() == 1


@pytest.mark.django_db
def test_the_run_scheduler_command_runs_one_round():
    call_command("run_scheduler", "--once")
    assert ScheduledRun.objects.filter(job="deliver_messages").count() == 1


@pytest.mark.django_db
def test_the_plan_deadline_check_runs_after_midnight_following_the_deadline():
    assert "orglife_plan_deadline" not in jobs(
        scheduler.due_slots(dt.datetime(2026, 10, 26, 0, 29, tzinfo=SH))
    )
    (slot,) = [
        s
        for s in scheduler.due_slots(dt.datetime(2026, 10, 26, 0, 30, tzinfo=SH))
        if s.job == "orglife_plan_deadline"
    ]
    assert (slot.task_path, slot.args) == ("orglife.tasks.check_plan_deadline", ("2026-10",))
    assert "orglife_plan_deadline" not in jobs(
        scheduler.due_slots(dt.datetime(2026, 10, 25, 23, 0, tzinfo=SH))
    )
