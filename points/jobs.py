"""Scheduled jobs of the learning points (listed by ops.schedule)."""

from __future__ import annotations

import datetime as dt

from notifications.scheduler import Job, Slot
from points.tasks import monthly_notice_task, weekly_stats_task


def weekly_stats(now: dt.datetime) -> list[Slot]:
    """学习积分每周统计: Mondays from 06:00."""
    if now.weekday() == 0 and now.time() >= dt.time(6, 0):
        day = now.date().isoformat()
        return [Slot("points_weekly_stats", day, weekly_stats_task, (day,))]
    return []


def monthly_notice(now: dt.datetime) -> list[Slot]:
    """学习积分每月通报公示: from 02:00 on the 1st, for the previous month."""
    if now.day == 1 and now.time() >= dt.time(2, 0):
        last = now.date() - dt.timedelta(days=1)
        return [Slot("points_monthly_notice", f"{last:%Y-%m}", monthly_notice_task, (f"{last:%Y-%m}",))]
    return []


JOBS: list[Job] = [weekly_stats, monthly_notice]
