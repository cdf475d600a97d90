"""Background tasks of accounts (django_tasks; enqueued by the scheduler: accounts.jobs)."""

from __future__ import annotations

from django_tasks import task

from accounts import housekeeping


@task()
def disable_dormant_accounts_task() -> str:
    """Disable accounts with no login for XIANFENG_DORMANT_DAYS (daily, 03:00)."""
    return str(len(housekeeping.disable_dormant_accounts()))
