"""Scheduled orglife jobs as django_tasks tasks (run by `manage.py db_worker`, enqueued by run_scheduler).

Each task calls the same service as its management command; arguments are ISO strings (JSON-safe).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from orglife.periods import parse_month
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
