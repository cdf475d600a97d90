"""Scheduled development jobs as django_tasks tasks (enqueued by run_scheduler)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from development.services.reminders import send_reminders


@task()
def send_reminders_task(day: str) -> str:
    """到期提醒 for the day (YYYY-MM-DD): new items only, each once per level."""
    return str(send_reminders(day=dt.date.fromisoformat(day)))
