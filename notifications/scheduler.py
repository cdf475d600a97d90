"""A small cron-style scheduler: each minute, enqueue the jobs that are due, once per slot.

Jobs are due by the local (Asia/Shanghai) date and time:
- message delivery: every minute;
- reminders: from 09:00 on each reminder day of the rule set in force;
- month close: from 01:00 on the 1st, for the previous month;
- dormant accounts: from 03:00 every day (accounts.tasks.disable_dormant_accounts_task);
- plan deadline check: from 00:30 on the day after the plan deadline (only if the task
  `orglife.tasks.check_plan_deadline` exists);
- points weekly statistics: Mondays from 06:00; points monthly notices: from 02:00 on the 1st, for
  the previous month.

A job is due for the whole rest of its slot (a scheduler started at 09:20 still sends the 09:00
reminders). Each enqueue first inserts a ScheduledRun row with a unique (job, run_key) in the same
transaction: with several schedulers running, only the one whose insert succeeds enqueues.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.models import ScheduledRun

logger = logging.getLogger("xianfeng.scheduler")


@dataclass(frozen=True)
class Slot:
    job: str
    run_key: str
    task_path: str
    args: tuple[Any, ...] = ()


def _delivery(now: dt.datetime) -> list[Slot]:
    return [Slot("deliver_messages", f"{now:%Y-%m-%dT%H:%M}", "notifications.tasks.deliver_due_messages")]


def _reminders(now: dt.datetime) -> list[Slot]:
    from orglife.rules import ruleset_for

    today = now.date()
    try:
        days = ruleset_for(today).reminder_day_list
    except Exception:  # no rule set yet (fresh database): nothing to remind
        return []
    if today.day in days and now.time() >= dt.time(9, 0):
        return [Slot("orglife_reminders", today.isoformat(), "orglife.tasks.send_reminders_task",
                     (today.isoformat(),))]  # fmt: skip
    return []


def _month_close(now: dt.datetime) -> list[Slot]:
    from orglife.periods import add_months, first_of_month

    if now.day == 1 and now.time() >= dt.time(1, 0):
        month = add_months(first_of_month(now.date()), -1)
        return [Slot("orglife_close_month", f"{month:%Y-%m}", "orglife.tasks.close_month_task",
                     (f"{month:%Y-%m}",))]  # fmt: skip
    return []


def _ensure_stats(now: dt.datetime) -> list[Slot]:
    if now.time() >= dt.time(0, 10):
        month = f"{now.date():%Y-%m}"
        return [
            Slot(
                "orglife_ensure_stats",
                now.date().isoformat(),
                "orglife.tasks.ensure_stats_task",
                (month,),
            )
        ]
    return []


def _plan_deadline(now: dt.datetime) -> list[Slot]:
    from orglife.periods import add_months, first_of_month
    from orglife.rules import ruleset_for

    try:
        import_string("orglife.tasks.check_plan_deadline")
    except ImportError:
        return []
    yesterday = now.date() - dt.timedelta(days=1)
    try:
        deadline_day = ruleset_for(yesterday).plan_deadline_day
    except Exception:
        return []
    last_day = (add_months(first_of_month(yesterday), 1) - dt.timedelta(days=1)).day
    if yesterday.day == min(deadline_day, last_day) and now.time() >= dt.time(0, 30):
        # The task takes the filing month (the month whose deadline passed yesterday).
        filing = f"{yesterday:%Y-%m}"
        return [Slot("orglife_plan_deadline", filing, "orglife.tasks.check_plan_deadline", (filing,))]
    return []


def _dormant_accounts(now: dt.datetime) -> list[Slot]:
    # 等保: accounts with no login for XIANFENG_DORMANT_DAYS are disabled, daily from 03:00.
    if now.time() >= dt.time(3, 0):
        return [Slot("accounts_disable_dormant", now.date().isoformat(),
                     "accounts.tasks.disable_dormant_accounts_task")]  # fmt: skip
    return []


def _points_weekly(now: dt.datetime) -> list[Slot]:
    """学习积分每周统计: Mondays from 06:00."""
    if now.weekday() == 0 and now.time() >= dt.time(6, 0):
        day = now.date().isoformat()
        return [Slot("points_weekly_stats", day, "points.tasks.weekly_stats_task", (day,))]
    return []


def _points_notice(now: dt.datetime) -> list[Slot]:
    """学习积分每月通报公示: from 02:00 on the 1st, for the previous month."""
    if now.day == 1 and now.time() >= dt.time(2, 0):
        last = now.date() - dt.timedelta(days=1)
        return [Slot("points_monthly_notice", f"{last:%Y-%m}", "points.tasks.monthly_notice_task",
                     (f"{last:%Y-%m}",))]  # fmt: skip
    return []


JOBS: list[Callable[[dt.datetime], list[Slot]]] = [
    _delivery, _reminders, _month_close, _plan_deadline, _ensure_stats, _dormant_accounts,
    _points_weekly, _points_notice,
]  # fmt: skip


def due_slots(now: dt.datetime) -> list[Slot]:
    local = timezone.localtime(now)
    out: list[Slot] = []
    for job in JOBS:
        out.extend(job(local))
    return out


def enqueue_slot(slot: Slot, now: dt.datetime) -> bool:
    """Claim the slot and enqueue its task; False when another scheduler already did."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=slot.job, run_key=slot.run_key, created_at=now)
            result = import_string(slot.task_path).enqueue(*slot.args)
            run.task_id = str(getattr(result, "id", ""))[:64]
            run.save(update_fields=["task_id"])
    except IntegrityError:
        return False
    return True


def tick(now: dt.datetime | None = None) -> list[Slot]:
    """One scheduler round: enqueue every due slot not yet taken; returns those this call enqueued."""
    now = now or timezone.now()
    done = []
    for slot in due_slots(now):
        if ScheduledRun.objects.filter(job=slot.job, run_key=slot.run_key).exists():
            continue
        if enqueue_slot(slot, now):
            logger.info("enqueued %s %s", slot.job, slot.run_key)
            done.append(slot)
    return done


def prune(before: dt.datetime) -> int:
    """Forget old per-minute slots (they are only needed while a minute can still be raced)."""
    deleted, _ = ScheduledRun.objects.filter(job="deliver_messages", created_at__lt=before).delete()
    return deleted
