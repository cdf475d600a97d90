"""Scheduled points jobs as django_tasks tasks (run by `manage.py db_worker`, enqueued by run_scheduler).

Each task calls the same service as its management command; arguments are ISO strings (JSON-safe).
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from points.services.cycles import draft_monthly_notices
from points.services.weekly import run_weekly_stats


def parse_month(text: str) -> tuple[int, int]:
    """ "2026-10" → (2026, 10)."""
    try:
        year, month = (int(part) for part in text.split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise ValueError(f"月份格式应为 YYYY-MM：{text}") from None
    return year, month


@task()
def weekly_stats_task(day: str) -> str:
    """每周统计 as of the day (YYYY-MM-DD, a Monday): recompute the years the last finished week touches."""
    written = run_weekly_stats(today=dt.date.fromisoformat(day))
    return ", ".join(f"{year}: {n} rows" for year, n in written.items())


@task()
def monthly_notice_task(month: str) -> str:
    """每月通报公示 for YYYY-MM (the previous month): a draft, or a published notice, per branch and department."""
    year, m = parse_month(month)
    return str(draft_monthly_notices(year=year, month=m))
