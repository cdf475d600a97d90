"""Scheduled jobs of organizational life (listed by ops.schedule), by the local (Asia/Shanghai) time:
- reminders: from 09:00 on each reminder day of the rule set in force;
- month close: from 01:00 on the 1st, for the previous month;
- completion statistics for the month: daily from 00:10;
- plan deadline check: from 00:30 on the day after the plan deadline, for the filing month;
- reused-photo checks whose task was lost: hourly, from minute 40 to 49;
- chunks of photos a device never finished uploading: daily from 03:20.
"""

from __future__ import annotations

import datetime as dt

from notifications.scheduler import Job, Slot
from orglife.periods import add_months, first_of_month
from orglife.rules import ruleset_for
from orglife.tasks import (
    check_plan_deadline,
    check_waiting_photos_task,
    close_month_task,
    ensure_stats_task,
    expire_uploads_task,
    send_reminders_task,
)


def reminders(now: dt.datetime) -> list[Slot]:
    today = now.date()
    try:
        days = ruleset_for(today).reminder_day_list
    except Exception:  # no rule set yet (fresh database): nothing to remind
        return []
    if today.day in days and now.time() >= dt.time(9, 0):
        return [Slot("orglife_reminders", today.isoformat(), send_reminders_task, (today.isoformat(),))]
    return []


def month_close(now: dt.datetime) -> list[Slot]:
    if now.day == 1 and now.time() >= dt.time(1, 0):
        month = add_months(first_of_month(now.date()), -1)
        return [Slot("orglife_close_month", f"{month:%Y-%m}", close_month_task, (f"{month:%Y-%m}",))]
    return []


def ensure_stats(now: dt.datetime) -> list[Slot]:
    if now.time() >= dt.time(0, 10):
        return [
            Slot("orglife_ensure_stats", now.date().isoformat(), ensure_stats_task, (f"{now.date():%Y-%m}",))
        ]
    return []


def plan_deadline(now: dt.datetime) -> list[Slot]:
    yesterday = now.date() - dt.timedelta(days=1)
    try:
        deadline_day = ruleset_for(yesterday).plan_deadline_day
    except Exception:  # no rule set yet
        return []
    last_day = (add_months(first_of_month(yesterday), 1) - dt.timedelta(days=1)).day
    if yesterday.day == min(deadline_day, last_day) and now.time() >= dt.time(0, 30):
        filing = f"{yesterday:%Y-%m}"  # the month whose deadline passed yesterday
        return [Slot("orglife_plan_deadline", filing, check_plan_deadline, (filing,))]
    return []


def waiting_photos(now: dt.datetime) -> list[Slot]:
    if 40 <= now.minute < 50:
        return [Slot("orglife_waiting_photos", f"{now:%Y-%m-%dT%H}", check_waiting_photos_task)]
    return []


def expired_chunks(now: dt.datetime) -> list[Slot]:
    if now.time() >= dt.time(3, 20):
        return [Slot("orglife_expire_uploads", now.date().isoformat(), expire_uploads_task)]
    return []


JOBS: list[Job] = [reminders, month_close, plan_deadline, ensure_stats, waiting_photos, expired_chunks]
