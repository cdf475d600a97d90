"""Orglife background work as django_tasks tasks (run by `manage.py db_worker`): the scheduled jobs (enqueued
by run_scheduler; each calls the same service as its management command, arguments are ISO strings) and
the reused-photo check of an upload (enqueued by `add_attachments` after commit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from orglife.periods import parse_month
from orglife.services.photo_uploads import expire_uploads
from orglife.services.photos import check_record_photos, check_waiting_records
from orglife.services.plans import check_plan_deadline as check_plan_deadline_service
from orglife.services.reminders import send_reminders
from orglife.services.scores import close_month
from orglife.services.stats import ensure_stats


@task()
def check_plan_deadline(month_iso: str) -> dict[str, Any]:
    """After the deadline in filing month YYYY-MM: mark unsubmitted plans late and notify missing branches."""
    result = check_plan_deadline_service(month=parse_month(month_iso))
    return {
        "plan_month": f"{result.plan_month:%Y-%m}",
        "deadline_passed": result.passed,
        "missing": len(result.missing),
        "unsubmitted": len(result.unsubmitted),
        "newly_marked": result.newly_marked,
        "notices": result.notices,
    }


@task()
def send_reminders_task(day: str) -> str:
    """Reminder digests for the day (YYYY-MM-DD); a no-op unless it is a reminder day."""
    return str(send_reminders(day=dt.date.fromisoformat(day)))


@task()
def close_month_task(month: str) -> str:
    """Month close for YYYY-MM: scores, ranking, escalating interviews."""
    return str(close_month(month=parse_month(month)))


@task()
def ensure_stats_task(month: str) -> str:
    """Completion rows for branches idle so far in YYYY-MM, so dashboards count them from day one."""
    return f"{ensure_stats(month=parse_month(month))} branches"


@task()
def check_record_photos_task(record_id: int) -> str:
    """The reused-photo check of a record's new photos (hashes, candidates, verification, both records
    marked); safe to run twice."""
    result = check_record_photos(record_id=record_id)
    return f"{result.checked} photos checked, {result.pairs} pairs"


@task()
def check_waiting_photos_task() -> str:
    """The sweep for check tasks lost with a dead worker (hourly)."""
    return f"{check_waiting_records()} records settled"


@task()
def expire_uploads_task() -> str:
    """Delete chunk sets of photos a device never finished (older than the configured age); daily."""
    return f"{expire_uploads()} chunk sets deleted"
