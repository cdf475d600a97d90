"""Scheduled jobs of accounts (listed by ops.schedule)."""

from __future__ import annotations

import datetime as dt

from accounts.tasks import disable_dormant_accounts_task
from notifications.scheduler import Job, Slot


def dormant_accounts(now: dt.datetime) -> list[Slot]:
    """等保: accounts with no login for XIANFENG_DORMANT_DAYS are disabled, daily from 03:00."""
    if now.time() >= dt.time(3, 0):
        return [Slot("accounts_disable_dormant", now.date().isoformat(), disable_dormant_accounts_task)]
    return []


JOBS: list[Job] = [dormant_accounts]
