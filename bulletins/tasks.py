"""Scheduled 信息报送 jobs as django_tasks tasks (run by `manage.py db_worker`, enqueued by run_scheduler)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from bulletins.services.quotas import send_quota_reminders


@task()
def quota_reminders_task(day: str) -> str:
    """信息报送提醒 on the day (YYYY-MM-DD) to every 信息员 behind the week's quota."""
    return f"{send_quota_reminders(today=dt.date.fromisoformat(day))} reminders"
